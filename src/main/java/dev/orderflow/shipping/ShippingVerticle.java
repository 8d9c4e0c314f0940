package dev.orderflow.shipping;

import com.google.protobuf.Timestamp;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.EventIds;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.SagaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The shipping context's event side: one shipment per {@code OrderConfirmed}, announced as
 * {@code ShipmentScheduled}. The announcement is the shipment's record: it is stored at most once per order, so a
 * redelivered confirmation schedules nothing twice. Shipping is the saga's last step, so it also counts the orders
 * that reached SHIPPED.
 */
public final class ShippingVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final SagaMetrics metrics;
  private EventSubscription subscription;

  public ShippingVerticle(NatsBridge bridge, MeterRegistry registry) {
    this.bridge = bridge;
    this.metrics = new SagaMetrics(registry);
  }

  @Override
  public Future<?> start() {
    return bridge.subscribe(Topology.SHIPPING_ON_ORDERS, Handlers
            .of(Topology.ORDER_CONFIRMED, d -> schedule(d.event().getOrderId(), d.event().getPlacedAt()))
            .onGiveUp(Topology.ORDER_CONFIRMED, (e, why) -> schedulePaid(e.getOrderId())))
        .onSuccess(s -> subscription = s);
  }

  @Override
  public Future<?> stop() {
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }

  /**
   * An {@code OrderConfirmed} given up as poison: an order that is paid (its {@code PaymentAuthorized} is stored)
   * is shipped all the same, since nothing can cancel it any more and it would otherwise wait forever; anything
   * else changes nothing.
   */
  private Future<?> schedulePaid(String orderId) {
    return bridge.eventLog().findSound(Topology.PAYMENT_AUTHORIZED, orderId).compose(paid -> paid == null
        ? Future.succeededFuture() : schedule(orderId, paid.getPlacedAt()));
  }

  private Future<?> schedule(String orderId, Timestamp placedAt) {
    Instant now = Instant.now();
    ShipmentScheduled scheduled = ShipmentScheduled.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(now))
        // Derived from the order id, so that every delivery names the same shipment.
        .setShipmentId("shp-" + UUID.nameUUIDFromBytes(orderId.getBytes(StandardCharsets.UTF_8)))
        .build();
    return bridge.publisher()
        .publishFirst(Topology.SHIPMENT_SCHEDULED, orderId, scheduled, First.OF_ITS_TYPE)
        .onSuccess(written -> {
          if (written == Written.STORED) {
            metrics.shipped(EventTime.toInstant(placedAt), now);
          }
        });
  }
}
