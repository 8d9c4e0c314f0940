package dev.orderflow.messaging;

/** NATS did not answer in time, or the connection is down; worth retrying later. */
public final class BrokerUnavailable extends MessagingException {

  public BrokerUnavailable(String message, Throwable cause) {
    super(message, cause, false);
  }
}
