package dev.orderflow.messaging;

/**
 * One delivery of an event to a handler.
 *
 * @param attempt which delivery of this message this is, from 1
 * @param maxAttempts the delivery after which a failing message is given up and dead-lettered
 * @param sequence the event's sequence in its stream (0 when not known)
 */
public record Delivery<T>(T event, int attempt, int maxAttempts, long sequence) {

  /** A delivery of an event whose stream sequence does not matter. */
  public Delivery(T event, int attempt, int maxAttempts) {
    this(event, attempt, maxAttempts, 0);
  }

  /** Whether a failure now ends this message's retries. */
  public boolean lastAttempt() {
    return attempt >= maxAttempts;
  }
}
