package dev.orderflow.shipping;

import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The shipping protocol: one shipment per confirmed order, announced as {@code ShipmentScheduled}, which is the
 * shipment's record (stored at most once per order), so a redelivered confirmation schedules nothing twice.
 *
 * <p>A confirmation is final: the orders context writes it only while the order is not cancelled, and a
 * cancellation can no longer be written after it ({@code OrderDecisions}), so shipping needs to look at nothing
 * else. An {@code OrderConfirmed} given up as poison ships nothing: the order's real decision, if it was to
 * confirm, arrives as an event of its own.
 */
final class Shipments {

  private final Announcer announcer;

  Shipments(Announcer announcer) {
    this.announcer = announcer;
  }

  /** Schedules the shipment of a confirmed order; answers whether this call stored it. */
  Future<Boolean> schedule(OrderConfirmed confirmed) {
    String orderId = confirmed.getOrderId();
    ShipmentScheduled scheduled = ShipmentScheduled.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setShipmentId(shipmentId(orderId))
        .setPlacedAt(confirmed.getPlacedAt())
        .build();
    return announcer.publishFirst(Topology.SHIPMENT_SCHEDULED, orderId, scheduled, First.OF_ITS_TYPE)
        .map(written -> written == Written.STORED);
  }

  /** Derived from the order id, so that every delivery names the same shipment. */
  static String shipmentId(String orderId) {
    return "shp-" + UUID.nameUUIDFromBytes(orderId.getBytes(StandardCharsets.UTF_8));
  }
}
