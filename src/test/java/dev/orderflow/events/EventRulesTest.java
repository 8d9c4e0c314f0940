package dev.orderflow.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The checks every consumer makes of an event's shape before its handler acts on it. */
@DisplayName("EventRules")
class EventRulesTest {

  private static final Instant PLACED = Instant.now().minusSeconds(5);
  private static final OrderPlaced PLACED_EVENT = OrderPlaced.newBuilder()
      .setEventId(EventIds.next())
      .setOrderId("o-1")
      .setOccurredAt(EventTime.of(PLACED))
      .setCustomerId("alice@example.com")
      .addLines(line("MUG-LOGO", 2, 1250))
      .addLines(line("POSTER-A2", 1, 1999))
      .setTotal(eur(4499))
      .build();
  private static final StockReserved RESERVED = StockReserved.newBuilder()
      .setEventId(EventIds.next()).setOrderId("o-1").setOccurredAt(EventTime.of(PLACED.plusMillis(2)))
      .setCustomerId(PLACED_EVENT.getCustomerId()).addAllLines(PLACED_EVENT.getLinesList())
      .setTotal(PLACED_EVENT.getTotal()).setPlacedAt(PLACED_EVENT.getOccurredAt()).putHolds("MUG-LOGO", "e-1")
      .build();
  private static final PaymentAuthorized AUTHORIZED = PaymentAuthorized.newBuilder()
      .setEventId(EventIds.next()).setOrderId("o-1").setOccurredAt(EventTime.of(PLACED.plusMillis(9)))
      .setChargeId("ch_123").setAmount(eur(4499)).setCustomerId(PLACED_EVENT.getCustomerId())
      .addAllLines(PLACED_EVENT.getLinesList()).setPlacedAt(PLACED_EVENT.getOccurredAt())
      .build();

  @Test
  @DisplayName("pass every event as Orderflow writes it, and unknown fields of a newer schema")
  void sound() {
    var at = EventTime.of(PLACED.plusMillis(20));
    var placedAt = PLACED_EVENT.getOccurredAt();
    Stream.of(
        check(Topology.ORDER_PLACED, PLACED_EVENT),
        check(Topology.STOCK_RESERVED, RESERVED),
        check(Topology.STOCK_REJECTED, StockRejected.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).addSkus("MUG-LOGO").setPlacedAt(placedAt).build()),
        check(Topology.STOCK_RELEASED, StockReleased.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).addAllLines(PLACED_EVENT.getLinesList()).build()),
        check(Topology.PAYMENT_AUTHORIZED, AUTHORIZED),
        check(Topology.PAYMENT_DECLINED, PaymentDeclined.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setChargeId("ch_1").setReason("insufficient funds").setPlacedAt(placedAt).build()),
        check(Topology.PAYMENT_FAILED, PaymentFailed.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setReason("gateway refused").setPlacedAt(placedAt).build()),
        check(Topology.ORDER_CONFIRMED, OrderConfirmed.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setCustomerId("c-1").addAllLines(PLACED_EVENT.getLinesList()).setPlacedAt(placedAt)
            .build()),
        check(Topology.ORDER_CANCELLED, OrderCancelled.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setReason(CancellationReason.OUT_OF_STOCK).setPlacedAt(placedAt).build()),
        check(Topology.SHIPMENT_SCHEDULED, ShipmentScheduled.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setShipmentId("shp-1").setPlacedAt(placedAt).build()),
        // As versions before placed_at wrote it.
        check(Topology.SHIPMENT_SCHEDULED, ShipmentScheduled.newBuilder().setEventId("e").setOrderId("o-1")
            .setOccurredAt(at).setShipmentId("shp-1").build()),
        check(Topology.ORDER_PLACED, PLACED_EVENT.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build()))
        .forEach(problem -> assertThat(problem).isNull());
  }

  static Stream<Arguments> poison() throws Exception {
    OrderPlaced.Builder thousand = PLACED_EVENT.toBuilder().clearLines();
    for (int i = 0; i < 501; i++) {
      thousand.addLines(line("MUG-LOGO", 1, 1));
    }
    thousand.setTotal(eur(501));
    return Stream.of(
        Arguments.of("OrderPlaced read as an OrderConfirmed", Topology.ORDER_CONFIRMED,
            OrderConfirmed.parseFrom(PLACED_EVENT.toByteArray()),
            "field nanos (2) of Timestamp has the wrong wire type"),
        Arguments.of("PaymentFailed read as a PaymentDeclined", Topology.PAYMENT_DECLINED,
            PaymentDeclined.parseFrom(PaymentFailed.newBuilder().setEventId("e").setOrderId("o-1")
                .setOccurredAt(EventTime.of(PLACED)).setReason("x").build().toByteArray()), "has no placed_at"),
        Arguments.of("no event id", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder().clearEventId().build(),
            "has no event_id"),
        Arguments.of("no time", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder().clearOccurredAt().build(),
            "has no occurred_at"),
        Arguments.of("a time in 1970", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setOccurredAt(EventTime.of(Instant.ofEpochSecond(2499))).build(),
            "occurred_at 2499s is not a time this event can have"),
        Arguments.of("a time next week", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setOccurredAt(EventTime.of(Instant.now().plus(Duration.ofDays(7)))).build(),
            "is not a time this event can have"),
        Arguments.of("a total that is not the lines' sum", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setTotal(eur(1)).build(), "total 1 is not what its lines add up to (4499)"),
        Arguments.of("a negative quantity", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setLines(1, line("POSTER-A2", -5, 1999)).setTotal(eur(2500 - 5 * 1999)).build(),
            "line 2 asks for -5 units (a line takes 1 to 1000000)"),
        Arguments.of("a negative price", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setLines(1, line("POSTER-A2", 1, -1999)).build(), "line 2 unit_price -1999 is not above zero"),
        Arguments.of("a currency not ISO", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setTotal(Money.newBuilder().setAmountMinor(4499).setCurrency("euro")).build(),
            "total has no ISO-4217 currency"),
        Arguments.of("two currencies", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setTotal(Money.newBuilder().setAmountMinor(4499).setCurrency("USD")).build(),
            "mixes currencies EUR and USD"),
        Arguments.of("prices past a long", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setLines(0, line("MUG-LOGO", 1_000_000, Long.MAX_VALUE / 10)).build(),
            "has lines whose prices add up to more than a long holds"),
        Arguments.of("no lines", Topology.ORDER_CONFIRMED, OrderConfirmed.newBuilder().setEventId("e")
            .setOrderId("o-1").setOccurredAt(EventTime.of(PLACED)).setCustomerId("c").setPlacedAt(EventTime.of(PLACED))
            .build(), "has no lines"),
        Arguments.of("501 lines", Topology.ORDER_PLACED, thousand.build(), "has 501 lines (at most 500)"),
        Arguments.of("a customer id of 700,000 characters", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setCustomerId("h".repeat(700_000)).build(), "customer_id is 700000 characters long (at most 128)"),
        Arguments.of("a customer id with a newline", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setCustomerId("mallory\n").build(), "customer_id holds a character a customer id cannot have"),
        Arguments.of("an empty SKU", Topology.ORDER_PLACED, PLACED_EVENT.toBuilder()
            .setLines(0, line("", 2, 1250)).build(), "line 1 has no sku"),
        Arguments.of("a zero amount to charge", Topology.STOCK_RESERVED, RESERVED.toBuilder()
            .setLines(0, line("MUG-LOGO", 2, 0)).setLines(1, line("POSTER-A2", 1, 0)).setTotal(eur(0)).build(),
            "line 1 unit_price 0 is not above zero"),
        Arguments.of("a zero total", Topology.STOCK_RESERVED, RESERVED.toBuilder().setTotal(eur(0)).build(),
            "total 0 is not above zero"),
        Arguments.of("no charge id", Topology.PAYMENT_AUTHORIZED, AUTHORIZED.toBuilder().clearChargeId().build(),
            "has no charge_id"),
        Arguments.of("no cancellation reason", Topology.ORDER_CANCELLED, OrderCancelled.newBuilder().setEventId("e")
            .setOrderId("o-1").setOccurredAt(EventTime.of(PLACED)).setPlacedAt(EventTime.of(PLACED)).build(),
            "names no cancellation reason"),
        Arguments.of("a shipment placed in 1970", Topology.SHIPMENT_SCHEDULED, ShipmentScheduled.newBuilder()
            .setEventId("e").setOrderId("o-1").setOccurredAt(EventTime.of(PLACED)).setShipmentId("shp-1")
            .setPlacedAt(EventTime.of(Instant.ofEpochSecond(2499))).build(),
            "placed_at 2499s is not a time this event can have"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("poison")
  @DisplayName("name the first problem of")
  <T extends Message> void problem(String what, EventType<T> type, T event, String problem) {
    assertThat(type.problemOf().apply(event)).contains(problem);
  }

  private static <T extends Message> String check(EventType<T> type, T event) {
    return type.problemOf().apply(event);
  }

  private static OrderLine line(String sku, int quantity, long unitPrice) {
    return OrderLine.newBuilder().setSku(sku).setQuantity(quantity).setUnitPrice(eur(unitPrice)).build();
  }

  private static Money eur(long minor) {
    return Money.newBuilder().setAmountMinor(minor).setCurrency("EUR").build();
  }
}
