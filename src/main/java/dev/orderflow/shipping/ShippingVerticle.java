package dev.orderflow.shipping;

import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** The shipping context's event side: one shipment per {@code OrderConfirmed}, announced as {@code ShipmentScheduled}. */
public final class ShippingVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private KeyValueStore shipments;
  private EventSubscription subscription;

  public ShippingVerticle(NatsBridge bridge) {
    this.bridge = bridge;
  }

  @Override
  public Future<?> start() {
    shipments = bridge.keyValue(Topology.SHIPMENTS);
    return bridge.subscribe(Topology.SHIPPING_ON_ORDERS, Handlers.of(Topology.ORDER_CONFIRMED, this::schedule))
        .onSuccess(s -> subscription = s);
  }

  @Override
  public Future<?> stop() {
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }

  private Future<?> schedule(Delivery<OrderConfirmed> delivery) {
    OrderConfirmed order = delivery.event();
    if (order.getLinesCount() == 0) {
      throw new PoisonMessage("OrderConfirmed " + order.getOrderId() + " has no lines to ship");
    }
    JsonArray lines = new JsonArray();
    order.getLinesList().forEach(l -> lines.add(new JsonObject().put("sku", l.getSku()).put("quantity", l.getQuantity())));
    JsonObject shipment = new JsonObject()
        // Derived from the order id, so that every delivery names the same shipment.
        .put("shipmentId", "shp-" + UUID.nameUUIDFromBytes(order.getOrderId().getBytes(StandardCharsets.UTF_8)))
        .put("orderId", order.getOrderId())
        .put("customerId", order.getCustomerId())
        .put("lines", lines)
        .put("scheduledAt", Instant.now().toString());
    return shipments.createOrGet(order.getOrderId(), shipment.toBuffer().getBytes())
        .map(claim -> Buffer.buffer(claim.entry().value()).toJsonObject())
        .compose(scheduled -> bridge.publisher().publish(Topology.SHIPMENT_SCHEDULED, order.getOrderId(),
            ShipmentScheduled.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOrderId(order.getOrderId())
                .setOccurredAt(EventTime.of(Instant.parse(scheduled.getString("scheduledAt"))))
                .setShipmentId(scheduled.getString("shipmentId"))
                .build()));
  }
}
