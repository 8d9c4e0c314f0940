package dev.orderflow.messaging;

import io.vertx.core.Future;

/**
 * Handles one event. The returned future decides the message's fate: success acknowledges it; a
 * {@link PoisonMessage} failure terminates and dead-letters it; any other failure redelivers it after a
 * backoff, until the consumer's delivery limit. Handlers must be idempotent: a redelivered event changes
 * nothing twice.
 */
@FunctionalInterface
public interface EventHandler<T> {

  Future<?> handle(Delivery<T> delivery);
}
