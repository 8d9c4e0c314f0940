package dev.orderflow.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockReserved;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The order view, made from the order's events")
class OrderProjectionTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static OrderPlaced placed() {
    return OrderPlaced.newBuilder().setOrderId("o-1").setEventId("e").setCustomerId("alice")
        .setOccurredAt(EventTime.of(T0))
        .addLines(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(2)
            .setUnitPrice(Money.newBuilder().setAmountMinor(1250).setCurrency("EUR")))
        .setTotal(Money.newBuilder().setAmountMinor(2500).setCurrency("EUR"))
        .build();
  }

  private static StockReserved reserved(int ms) {
    return StockReserved.newBuilder().setOccurredAt(EventTime.of(T0.plusMillis(ms))).build();
  }

  private static PaymentAuthorized paid(int ms) {
    return PaymentAuthorized.newBuilder().setOccurredAt(EventTime.of(T0.plusMillis(ms))).build();
  }

  @Test
  @DisplayName("is PENDING with only its OrderPlaced, with the lines, prices and total ordered")
  void pending() {
    Order order = OrderProjection.project(new OrderProjection.Events(placed(), null, null, null, null, null));
    assertThat(order.status()).isEqualTo(OrderStatus.PENDING);
    assertThat(order.customerId()).isEqualTo("alice");
    assertThat(order.lines()).containsExactly(new Order.Line("MUG-LOGO", 2, 1250));
    assertThat(order.totalMinor()).isEqualTo(2500);
    assertThat(order.transitions()).containsOnlyKeys(OrderStatus.PENDING);
  }

  @Test
  @DisplayName("is SHIPPED with every step's time, in order")
  void shipped() {
    Order order = OrderProjection.project(new OrderProjection.Events(placed(), reserved(1), paid(2),
        OrderConfirmed.newBuilder().setOccurredAt(EventTime.of(T0.plusMillis(3))).build(), null,
        ShipmentScheduled.newBuilder().setOccurredAt(EventTime.of(T0.plusMillis(4))).build()));
    assertThat(order.status()).isEqualTo(OrderStatus.SHIPPED);
    assertThat(order.transitions().keySet()).containsExactly(OrderStatus.PENDING, OrderStatus.RESERVED,
        OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED);
    assertThat(order.transitions().get(OrderStatus.SHIPPED)).isEqualTo(T0.plusMillis(4));
  }

  @Test
  @DisplayName("is CANCELLED with the reason, whatever else is found, and ends its timeline there")
  void cancelled() {
    Order order = OrderProjection.project(new OrderProjection.Events(placed(), reserved(1), null, null,
        OrderCancelled.newBuilder().setReason(CancellationReason.PAYMENT_DECLINED)
            .setOccurredAt(EventTime.of(T0.plusMillis(5))).build(), null));
    assertThat(order.status()).isEqualTo(OrderStatus.CANCELLED);
    assertThat(order.cancellationReason()).isEqualTo(CancellationReason.PAYMENT_DECLINED);
    assertThat(order.transitions().keySet()).containsExactly(OrderStatus.PENDING, OrderStatus.RESERVED,
        OrderStatus.CANCELLED);
  }

  @Test
  @DisplayName("never shows a step later than the step after it, when the processes' clocks disagree")
  void clocksDisagree() {
    // Payments' clock ran ahead of orders': the payment seems to come after the confirmation.
    Order order = OrderProjection.project(new OrderProjection.Events(placed(), reserved(1), paid(9),
        OrderConfirmed.newBuilder().setOccurredAt(EventTime.of(T0.plusMillis(3))).build(), null, null));
    assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(order.transitions().get(OrderStatus.PAID)).isEqualTo(T0.plusMillis(3));
  }
}
