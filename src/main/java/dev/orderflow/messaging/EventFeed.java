package dev.orderflow.messaging;

import com.google.protobuf.Message;
import io.vertx.core.Future;

/**
 * Follows event types as they are stored, for a read model a context keeps of them (the orders' list), from the
 * sequence after a checkpoint, or reads a stretch of a stream on request. Every feed of one {@code EventFeed} is
 * handled on one thread of its own, never the saga's. Close it when done.
 */
public interface EventFeed {

  /** What a feed hands over, in stream order per event type, on the feed's thread. */
  @FunctionalInterface
  interface Listener {
    /**
     * {@code event} is {@code null} when its bytes do not decode as {@code type} (poison, never an order's);
     * {@code pending}: how many more of the type the stream held when it was delivered (0: the feed has caught up).
     */
    void onEvent(EventType<?> type, String orderId, Message event, long sequence, long pending);
  }

  /** A stream as seen now: when it was made (a stream made anew has other sequences) and its last sequence. */
  record StreamState(String created, long lastSequence) {}

  /** The state of the stream that holds {@code type}. */
  Future<StreamState> state(EventType<?> type);

  /** Whether the stream holds a {@code type} event after stream sequence {@code after}: one request. */
  Future<Boolean> anyAfter(EventType<?> type, long after);

  /** A feed started by {@link #follow}. */
  @FunctionalInterface
  interface Following {
    /** Stops it: the listener may still be handed what was already on its way, and then nothing more. */
    void stop();
  }

  /** Starts handing every {@code type} event stored after stream sequence {@code after} to {@code listener}. */
  Future<Following> follow(EventType<?> type, long after, Listener listener);

  /**
   * The last sequence of {@code stream} now. Blocking, one request: for a thread of the caller's own, never an event
   * loop.
   */
  long lastSequence(StreamSpec stream) throws MessagingException;

  /**
   * Hands {@code listener}, on the calling thread, every {@code type} event stored after stream sequence {@code after}
   * up to {@code upTo}, in order, with {@code pending} 0. Blocking, one request per event and one more: for the few
   * events a read model did not learn otherwise. Returns how many it handed over.
   */
  int read(EventType<?> type, long after, long upTo, Listener listener) throws MessagingException;

  /** Stops every feed; the listener is called no more once this completes. */
  Future<Void> close();
}
