package dev.orderflow.messaging;

/**
 * A handler's failure that must never end in giving its message up: it cannot yet tell what happened (say, whether
 * a payment gateway that is down charged an order), and every way of giving up could be wrong. The message is
 * retried at the consumer's longest backoff for as long as it takes, past {@code consumers.maxDeliver}, instead of
 * being dead-lettered.
 */
public final class Undecided extends RuntimeException {

  public Undecided(String message, Throwable cause) {
    super(message, cause);
  }
}
