package dev.orderflow.orders;

import static dev.orderflow.orders.OrderFact.PAYMENT_AUTHORIZED;
import static dev.orderflow.orders.OrderFact.PAYMENT_DECLINED;
import static dev.orderflow.orders.OrderFact.PAYMENT_FAILED;
import static dev.orderflow.orders.OrderFact.SHIPMENT_SCHEDULED;
import static dev.orderflow.orders.OrderFact.STOCK_REJECTED;
import static dev.orderflow.orders.OrderFact.STOCK_RESERVED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.orders.OrderStateMachine.Decision;
import dev.orderflow.orders.OrderStateMachine.Reaction;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The order state machine")
class OrderStateMachineTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static Order placed() {
    return Order.placed("o-1", "alice", List.of(new Order.Line("MUG", 2, 1250)), 2500, "EUR", T0);
  }

  private static Decision decide(Order order, OrderFact fact, int second) {
    return OrderStateMachine.decide(order, fact, T0.plusSeconds(second), T0.plusSeconds(second).plusMillis(5));
  }

  @Test
  @DisplayName("walks the happy path PENDING, RESERVED, PAID, CONFIRMED, SHIPPED, confirming once paid")
  void happyPath() {
    Decision reserved = decide(placed(), STOCK_RESERVED, 1);
    assertThat(reserved.order().status()).isEqualTo(OrderStatus.RESERVED);
    assertThat(reserved.reaction()).isEqualTo(Reaction.NONE);

    Decision paid = decide(reserved.order(), PAYMENT_AUTHORIZED, 2);
    assertThat(paid.order().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(paid.reaction()).isEqualTo(Reaction.CONFIRM);

    Decision shipped = decide(paid.order(), SHIPMENT_SCHEDULED, 3);
    assertThat(shipped.order().status()).isEqualTo(OrderStatus.SHIPPED);
    assertThat(shipped.order().transitions().keySet()).containsExactly(
        OrderStatus.PENDING, OrderStatus.RESERVED, OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED);
    assertThat(shipped.order().transitions().get(OrderStatus.RESERVED)).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  @DisplayName("cancels as OUT_OF_STOCK when stock is rejected, and announces the cancellation")
  void outOfStock() {
    Decision rejected = decide(placed(), STOCK_REJECTED, 1);
    assertThat(rejected.order().status()).isEqualTo(OrderStatus.CANCELLED);
    assertThat(rejected.order().cancellationReason()).isEqualTo(CancellationReason.OUT_OF_STOCK);
    assertThat(rejected.reaction()).isEqualTo(Reaction.CANCEL);
  }

  @Test
  @DisplayName("cancels a reserved order as PAYMENT_DECLINED or PAYMENT_FAILED")
  void paymentNotMade() {
    Order reserved = decide(placed(), STOCK_RESERVED, 1).order();
    assertThat(decide(reserved, PAYMENT_DECLINED, 2).order().cancellationReason())
        .isEqualTo(CancellationReason.PAYMENT_DECLINED);
    assertThat(decide(reserved, PAYMENT_FAILED, 2).order().cancellationReason())
        .isEqualTo(CancellationReason.PAYMENT_FAILED);
  }

  @ParameterizedTest
  @EnumSource(OrderFact.class)
  @DisplayName("never changes a cancelled order again")
  void cancelledIsTerminal(OrderFact fact) {
    Order cancelled = decide(placed(), STOCK_REJECTED, 1).order();
    Decision decision = decide(cancelled, fact, 5);
    assertThat(decision.order()).isSameAs(cancelled);
    assertThat(decision.reaction()).isEqualTo(Reaction.NONE);
  }

  @ParameterizedTest
  @EnumSource(value = OrderFact.class, names = {"STOCK_REJECTED", "PAYMENT_DECLINED", "PAYMENT_FAILED"})
  @DisplayName("keeps a shipped order shipped, whatever contradicting fact arrives")
  void shippedIsTerminal(OrderFact fact) {
    Order shipped = decide(decide(decide(placed(), STOCK_RESERVED, 1).order(), PAYMENT_AUTHORIZED, 2).order(),
        SHIPMENT_SCHEDULED, 3).order();
    Decision decision = decide(shipped, fact, 9);
    assertThat(decision.order().status()).isEqualTo(OrderStatus.SHIPPED);
    assertThat(decision.reaction()).isEqualTo(Reaction.NONE);
  }

  @ParameterizedTest
  @EnumSource(OrderFact.class)
  @DisplayName("changes nothing and announces nothing when a fact is delivered twice")
  void repeatedFactIsIgnored(OrderFact fact) {
    Order once = decide(before(fact), fact, 5).order();
    Decision twice = decide(once, fact, 6);
    assertThat(twice.order()).isSameAs(once);
    assertThat(twice.reaction()).isEqualTo(Reaction.NONE);
  }

  /** An order in the state in which {@code fact} normally arrives. */
  private static Order before(OrderFact fact) {
    Order reserved = decide(placed(), STOCK_RESERVED, 1).order();
    return switch (fact) {
      case STOCK_RESERVED, STOCK_REJECTED -> placed();
      case PAYMENT_AUTHORIZED, PAYMENT_DECLINED, PAYMENT_FAILED -> reserved;
      case SHIPMENT_SCHEDULED -> decide(reserved, PAYMENT_AUTHORIZED, 2).order();
    };
  }

  @Test
  @DisplayName("confirms a paid order whose reservation it has not seen yet, and records the reservation when it comes")
  void lateReservation() {
    Decision paid = decide(placed(), PAYMENT_AUTHORIZED, 2);
    assertThat(paid.order().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(paid.reaction()).isEqualTo(Reaction.CONFIRM);

    Decision late = decide(paid.order(), STOCK_RESERVED, 1);
    assertThat(late.order().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(late.order().transitions()).containsEntry(OrderStatus.RESERVED, T0.plusSeconds(1));
    assertThat(late.reaction()).isEqualTo(Reaction.NONE);
  }

  @Test
  @DisplayName("keeps the timeline in order when a stage is recorded after a later one (a confirmation redelivered)")
  void lateStageIsNotTimedAfterLaterOnes() {
    Order shipped = decide(decide(placed(), STOCK_RESERVED, 1).order(), SHIPMENT_SCHEDULED, 3).order();
    Order late = decide(shipped, PAYMENT_AUTHORIZED, 9).order();
    assertThat(late.status()).isEqualTo(OrderStatus.SHIPPED);
    assertThat(late.transitions().keySet()).containsExactly(OrderStatus.PENDING, OrderStatus.RESERVED,
        OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED);
    assertThat(List.copyOf(late.transitions().values())).isSorted();
  }

  @Test
  @DisplayName("does not cancel an order that is already paid when a contradicting decline arrives")
  void declineAfterPaymentIsIgnored() {
    Order confirmed = decide(placed(), PAYMENT_AUTHORIZED, 1).order();
    Decision decision = decide(confirmed, PAYMENT_DECLINED, 2);
    assertThat(decision.order()).isSameAs(confirmed);
  }
}
