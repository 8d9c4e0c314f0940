package dev.orderflow.messaging;

import io.vertx.core.Future;

/**
 * What a bounded context uses of the broker: publish its events, handle those it listens to, read events back,
 * keep its key-value state and follow streams for a read model. The composition root hands each context one; the
 * JetStream adapter behind it is out of the contexts' reach.
 */
public interface Messaging {

  /**
   * Starts handling the events of {@code consumer} on the calling verticle's context. Stop the returned
   * subscription when the verticle stops.
   */
  Future<Subscription> subscribe(ConsumerSpec consumer, Handlers handlers);

  /** Publishes events; one per process. */
  EventPublisher publisher();

  /** Reads orders' events back from the streams. */
  EventLog eventLog();

  /** The key-value bucket {@code bucket}. */
  KeyValueStore keyValue(BucketSpec bucket);

  /** A new feed of stored events for a read model; close it when done. */
  EventFeed feed();
}
