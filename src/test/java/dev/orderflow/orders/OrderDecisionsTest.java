package dev.orderflow.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.InMemoryStream;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The orders' decisions over the orders stream in memory: one decision per order, confirmed or cancelled. */
@DisplayName("Order decisions")
class OrderDecisionsTest {

  private static final Instant PLACED = Instant.parse("2026-12-06T10:00:00Z");
  private static final List<OrderLine> LINES = List.of(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(2)
      .setUnitPrice(Money.newBuilder().setAmountMinor(1250).setCurrency("EUR")).build());

  private final OrdersStream stream = new OrdersStream();
  private final OrderDecisions decisions = new OrderDecisions(stream, stream);

  @Test
  @DisplayName("confirm a paid order right after its OrderPlaced, without reading the stream")
  void confirm() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));

    OrderDecisions.Decision decision = decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), placed)
        .result();

    assertThat(decision.stored()).isTrue();
    assertThat(decision.confirmed()).isTrue();
    assertThat(stream.only("o-1", Topology.ORDER_CONFIRMED).getCustomerId()).isEqualTo("alice");
    assertThat(stream.reads).isZero();
  }

  @Test
  @DisplayName("not confirm an order cancelled first, and say which cancellation stands")
  void cancelWinsOverConfirm() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));
    assertThat(decisions.cancel("o-1", CancellationReason.CUSTOMER_REQUESTED, EventTime.of(PLACED)).result().stored())
        .isTrue();

    OrderDecisions.Decision decision = decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), placed)
        .result();

    assertThat(decision.stored()).isFalse();
    assertThat(decision.confirmed()).isFalse();
    assertThat(decision.cancellation().getReason()).isEqualTo(CancellationReason.CUSTOMER_REQUESTED);
    assertThat(stream.events("o-1")).hasSize(2).last().isInstanceOf(OrderCancelled.class);
  }

  @Test
  @DisplayName("not cancel an order confirmed first: it ships")
  void confirmWinsOverCancel() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));
    decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), placed);

    OrderDecisions.Decision decision =
        decisions.cancel("o-1", CancellationReason.CUSTOMER_REQUESTED, EventTime.of(PLACED)).result();

    assertThat(decision.stored()).isFalse();
    assertThat(decision.confirmed()).isTrue();
    assertThat(stream.events("o-1")).hasSize(2).last().isInstanceOf(OrderConfirmed.class);
  }

  @Test
  @DisplayName("decide once when the other decision is written in the same moment (a competing instance)")
  void race() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));
    stream.beforeNextPublish = () -> decisions.cancel("o-1", CancellationReason.OPERATOR_REQUESTED,
        EventTime.of(PLACED));

    OrderDecisions.Decision decision = decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), placed)
        .result();

    assertThat(decision.confirmed()).isFalse();
    assertThat(decision.cancellation().getReason()).isEqualTo(CancellationReason.OPERATOR_REQUESTED);
    assertThat(stream.events("o-1")).hasSize(2);
  }

  @Test
  @DisplayName("change nothing when the same decision comes again (a redelivery), and say it was decided before")
  void repeat() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));
    decisions.cancel("o-1", CancellationReason.OUT_OF_STOCK, EventTime.of(PLACED));

    OrderDecisions.Decision again =
        decisions.cancel("o-1", CancellationReason.OUT_OF_STOCK, EventTime.of(PLACED)).result();

    assertThat(again.stored()).isFalse();
    assertThat(again.cancellation().getReason()).isEqualTo(CancellationReason.OUT_OF_STOCK);
    assertThat(stream.events("o-1")).hasSize(2);
    assertThat(placed).isPositive();
  }

  @Test
  @DisplayName("read where OrderPlaced is when the event does not say (older events, compensations)")
  void unknownSequence() {
    stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));

    assertThat(decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), 0).result().stored()).isTrue();

    assertThat(stream.reads).isEqualTo(1);
  }

  @Test
  @DisplayName("decide after a message given up on one of the order's subjects, which is no decision")
  void pastPoison() {
    long placed = stream.store(Topology.ORDER_PLACED, "o-1", placed("o-1"));
    stream.store(Topology.ORDER_CANCELLED, "o-1", OrderCancelled.newBuilder().setOrderId("o-1").build());

    OrderDecisions.Decision decision = decisions.confirm("o-1", "alice", LINES, EventTime.of(PLACED), placed)
        .result();

    assertThat(decision.stored()).isTrue();
    assertThat(stream.events("o-1")).hasSize(3).last().isInstanceOf(OrderConfirmed.class);
  }

  @Test
  @DisplayName("fail, to be retried, while the stream holds nothing of the order")
  void notPlacedYet() {
    Future<OrderDecisions.Decision> decision =
        decisions.cancel("o-9", CancellationReason.PAYMENT_FAILED, EventTime.of(PLACED));

    assertThat(decision.failed()).isTrue();
    assertThat(stream.events("o-9")).isEmpty();
  }

  private static OrderPlaced placed(String orderId) {
    return OrderPlaced.newBuilder().setEventId("e-" + orderId).setOrderId(orderId).setOccurredAt(EventTime.of(PLACED))
        .setCustomerId("alice").addAllLines(LINES)
        .setTotal(Money.newBuilder().setAmountMinor(2500).setCurrency("EUR")).build();
  }

  /** The orders stream in memory, read as the protocol reads it. */
  private static final class OrdersStream extends InMemoryStream implements OrderDecisions.Records {
    int reads;

    @Override
    public Future<Recorded<?>> last(String orderId) {
      reads++;
      return super.last(orderId);
    }
  }
}
