package dev.orderflow.shipping;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.SagaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;

/**
 * The shipping context's event side, a thin adapter: hands each {@code OrderConfirmed} to {@link Shipments}.
 * Shipping is the saga's last step, so it also counts the orders that reached SHIPPED.
 */
public final class ShippingVerticle extends VerticleBase {

  private final Messaging messaging;
  private final SagaMetrics metrics;
  private Subscription subscription;

  public ShippingVerticle(Messaging messaging, MeterRegistry registry) {
    this.messaging = messaging;
    this.metrics = new SagaMetrics(registry);
  }

  @Override
  public Future<?> start() {
    Shipments shipments = new Shipments(messaging.publisher());
    return messaging.subscribe(Topology.SHIPPING_ON_ORDERS, Handlers
            .of(Topology.ORDER_CONFIRMED, d -> schedule(shipments, d.event())))
        .onSuccess(s -> subscription = s);
  }

  @Override
  public Future<?> stop() {
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }

  private Future<?> schedule(Shipments shipments, OrderConfirmed confirmed) {
    return shipments.schedule(confirmed).onSuccess(stored -> {
      if (stored) {
        metrics.shipped(EventTime.toInstant(confirmed.getPlacedAt()), Instant.now());
      }
    });
  }
}
