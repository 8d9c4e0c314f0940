package dev.orderflow.messaging;

import com.google.protobuf.Message;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import io.vertx.core.Future;

/**
 * Stores and announces an event only if it is the {@code first} of its kind for the order: what a context's
 * protocol needs of the stream when a step's outcome is its own record. {@link EventPublisher} is the real one; a
 * unit test of a protocol stands in for it in memory.
 */
public interface Announcer {

  /** See {@link EventPublisher#publishFirst}. */
  <T extends Message> Future<Written> publishFirst(EventType<T> type, String orderId, T event, First first);

  /** See {@link EventPublisher#publishAfter}. */
  <T extends Message> Future<Written> publishAfter(EventType<T> type, String orderId, T event, long after);
}
