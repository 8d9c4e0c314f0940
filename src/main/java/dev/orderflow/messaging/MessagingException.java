package dev.orderflow.messaging;


/**
 * The small catalogue of infrastructure failures. They are mapped in exactly two places: the HTTP failure
 * handler (to problem+json answers) and the adapter's ack policy (to ack, nak or term).
 */
public abstract sealed class MessagingException extends RuntimeException
    permits BrokerUnavailable, Overloaded, PoisonMessage, WriteConflict {

  MessagingException(String message, Throwable cause, boolean stackTrace) {
    super(message, cause, false, stackTrace);
  }
}
