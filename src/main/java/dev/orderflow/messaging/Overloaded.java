package dev.orderflow.messaging;

/** A bound on in-flight work was reached (e.g. the publish window); the caller should shed load. */
public final class Overloaded extends MessagingException {

  public Overloaded(String message) {
    super(message, null, false);
  }
}
