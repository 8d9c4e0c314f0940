package dev.orderflow.shipping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.InMemoryStream;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shipping protocol over the shipping stream in memory. */
@DisplayName("Shipments")
class ShipmentsTest {

  private final InMemoryStream stream = new InMemoryStream();
  private final Shipments shipments = new Shipments(stream);

  @Test
  @DisplayName("schedule one shipment per confirmed order, named after the order, with its placing time")
  void schedule() {
    assertThat(shipments.schedule(confirmed("o-1")).result()).isTrue();

    ShipmentScheduled scheduled = stream.only("o-1", Topology.SHIPMENT_SCHEDULED);
    assertThat(scheduled.getShipmentId()).isEqualTo(Shipments.shipmentId("o-1")).startsWith("shp-");
    assertThat(scheduled.getPlacedAt()).as("the order's placing time, as confirmed")
        .isEqualTo(EventTime.of(Instant.parse("2026-12-06T10:00:00Z")));
    assertThat(stream.firsts).containsExactly(First.OF_ITS_TYPE);
  }

  @Test
  @DisplayName("schedule nothing twice for a redelivered confirmation")
  void redelivered() {
    shipments.schedule(confirmed("o-1"));

    assertThat(shipments.schedule(confirmed("o-1")).result()).isFalse();

    assertThat(stream.events("o-1")).hasSize(1);
  }

  @Test
  @DisplayName("name a different shipment for each order")
  void distinctShipments() {
    assertThat(Shipments.shipmentId("o-1")).isNotEqualTo(Shipments.shipmentId("o-2"))
        .isEqualTo(Shipments.shipmentId("o-1"));
  }

  private static OrderConfirmed confirmed(String orderId) {
    Instant placed = Instant.parse("2026-12-06T10:00:00Z");
    return OrderConfirmed.newBuilder().setEventId("e-" + orderId).setOrderId(orderId)
        .setOccurredAt(EventTime.of(placed.plusMillis(40))).setCustomerId("alice")
        .addLines(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(1)
            .setUnitPrice(Money.newBuilder().setAmountMinor(1250).setCurrency("EUR")))
        .setPlacedAt(EventTime.of(placed)).build();
  }
}
