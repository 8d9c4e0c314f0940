package dev.orderflow.messaging;

/**
 * A compare-and-set write lost: the key changed since it was read (or, for a create, already exists).
 * Re-read and decide again.
 */
public final class WriteConflict extends MessagingException {

  public WriteConflict(String message) {
    super(message, null, false);
  }
}
