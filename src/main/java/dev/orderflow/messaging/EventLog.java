package dev.orderflow.messaging;

import com.google.protobuf.Message;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * Reads orders' events back from the streams: the events are the contexts' records. Reads of a replicated stream
 * go to its leader, which has every event acknowledged to a publisher. Thread-safe; futures complete on the
 * caller's Vert.x context.
 */
public interface EventLog {

  /** An event read back, with its type and stream sequence. */
  record Recorded<T extends Message>(EventType<T> type, T event, long sequence) {}

  /**
   * A message stored on one of an order's subjects, as {@link #history} reads it: its type, the event (null when it
   * does not decode), where and when the stream stored it, and what is wrong with it ({@code null} when it is sound).
   */
  record Stored(EventType<?> type, Message event, String subject, String stream, long sequence, Instant storedAt,
      String problem) {}

  /** The event of {@code type} stored for {@code orderId} (the last, should there be several), or {@code null}. */
  <T extends Message> Future<T> find(EventType<T> type, String orderId);

  /**
   * {@link #find}, but {@code null} also for an event of the wrong shape ({@link EventType#problemOf}): what a
   * compensation acts on, so that a chain of forged or broken events never adds up to an order that goes ahead.
   */
  <T extends Message> Future<T> findSound(EventType<T> type, String orderId);

  /**
   * The last event of {@code orderId} in the stream of {@code like} (of any type of that stream), or {@code null}:
   * which outcome a step announced, when it announces its outcomes with {@link EventPublisher.First#IN_ITS_STREAM}.
   */
  Future<Recorded<?>> last(EventType<?> like, String orderId);

  /**
   * Every message stored on {@code orderId}'s subjects in every stream, in the order they were stored: the order's
   * history, for an operator's look, never the saga's.
   */
  Future<List<Stored>> history(String orderId);
}
