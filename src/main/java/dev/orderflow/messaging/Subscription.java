package dev.orderflow.messaging;

import io.vertx.core.Future;

/** A running consumer of events ({@link Messaging#subscribe}); stop it when its verticle stops. */
public interface Subscription {

  /** Stops taking messages; completes once those in hand are settled, or handed back after a deadline. */
  Future<Void> stop();
}
