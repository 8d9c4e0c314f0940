package dev.orderflow.messaging;

/**
 * One delivery of an event to a handler.
 *
 * @param attempt which delivery of this message this is, from 1
 * @param maxAttempts the delivery after which a failing message is given up and dead-lettered
 */
public record Delivery<T>(T event, int attempt, int maxAttempts) {

  /** Whether a failure now ends this message's retries. */
  public boolean lastAttempt() {
    return attempt >= maxAttempts;
  }
}
