package dev.orderflow.messaging;

import com.google.protobuf.Message;
import io.vertx.core.Future;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Publishes events to their streams without blocking: each publish completes only when the stream acknowledged it,
 * fails fast with {@link Overloaded} when too many await their acknowledgement, and with {@link BrokerUnavailable}
 * when none comes in time. Thread-safe; futures complete on the caller's Vert.x context.
 */
public interface EventPublisher extends Announcer {

  /** How a {@link #publishFirst write-once publish} came out. */
  enum Written {
    /** The event is stored now. */
    STORED,
    /**
     * The same event (same message id) was stored before, within the duplicate window: a repeat of this publish.
     * (nats-server 2.15 checks the expectation first, and answers such a repeat as {@link #PREEMPTED}.)
     */
    DUPLICATE,
    /** Another event stood in its place already, so this one was not stored. */
    PREEMPTED
  }

  /** What a {@link #publishFirst write-once publish} must be the first of, for its order. */
  enum First {
    /** The first event of its type: a repeat is refused however late it comes. */
    OF_ITS_TYPE,
    /**
     * The first event of the order in its stream: of several possible outcomes of a step (stock reserved or
     * rejected; payment authorized, declined or failed), only one is ever stored.
     */
    IN_ITS_STREAM
  }

  /**
   * Publishes {@code event} of {@code type} for {@code orderId}, with the message id that makes a repeat of
   * this publish within the duplicate window a no-op (see {@link EventType#messageId}).
   */
  <T extends Message> Future<Void> publish(EventType<T> type, String orderId, T event);

  /**
   * Publishes {@code event} only if it is the {@code first} of its kind for the order: the stream checks, in the
   * same write, that no such event is stored yet. The event is thereby also its context's record of the order: a
   * step that announced its outcome needs no separate ledger, and a repeated or competing delivery cannot announce
   * a second one.
   */
  @Override
  <T extends Message> Future<Written> publishFirst(EventType<T> type, String orderId, T event, First first);

  /**
   * Publishes {@code event} only as the next event of its order in its stream after stream sequence {@code after}:
   * of two events written after the same one, only the first is stored, so a decision between outcomes that live on
   * different subjects of the stream (an order confirmed or cancelled) is made once.
   */
  @Override
  <T extends Message> Future<Written> publishAfter(EventType<T> type, String orderId, T event, long after);

  /** The highest stream sequence of a {@code type} event this publisher stored (0: none yet). */
  long lastStored(EventType<?> type);

  /** An event this publisher stored, with its stream sequence. */
  record Stored(EventType<?> type, String orderId, Message event, long sequence) {}

  /**
   * Hands {@code listener} every event this publisher stores from now on in one of {@code streams} (not a repeat the
   * stream recognised), in the order the stream acknowledged them, on the messaging client's thread: it must only
   * take note and return. A read model of this process's own writes learns them here, without having them delivered
   * back.
   */
  void onStored(Set<StreamSpec> streams, Consumer<Stored> listener);
}
