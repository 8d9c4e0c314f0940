package dev.orderflow.messaging;

/**
 * A message that can never be handled (undecodable, or invalid for its handler). A handler fails with it to
 * have the message terminated and dead-lettered with this exception's message as the reason.
 */
public final class PoisonMessage extends MessagingException {

  public PoisonMessage(String reason) {
    super(reason, null, false);
  }
}
