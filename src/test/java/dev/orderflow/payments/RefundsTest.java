package dev.orderflow.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentRefunded;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.Undecided;
import dev.orderflow.testing.InMemoryStream;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The refund protocol over in-memory stores: the gateway's refunds, and the payments stream. */
@DisplayName("Refunds")
class RefundsTest {

  private static final Instant PLACED = Instant.parse("2026-12-06T10:00:00Z");

  private final Gateway gateway = new Gateway();
  private final PaymentsStream stream = new PaymentsStream();
  private final Refunds refunds = new Refunds(gateway, stream, stream);

  @Test
  @DisplayName("refund the charge of a paid order cancelled on request, and announce PaymentRefunded once")
  void refundsACharge() {
    stream.store(Topology.PAYMENT_AUTHORIZED, "o-1", PaymentAuthorized.newBuilder().setOrderId("o-1").build());
    gateway.answer = Future.succeededFuture(new GatewayClient.Refund("re_1", true, "ch_1", 2500, "EUR"));

    assertThat(refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.CUSTOMER_REQUESTED))).succeeded())
        .isTrue();

    PaymentRefunded refunded = stream.only("o-1", Topology.PAYMENT_REFUNDED);
    assertThat(refunded.getChargeId()).isEqualTo("ch_1");
    assertThat(refunded.getRefundId()).isEqualTo("re_1");
    assertThat(refunded.getAmount()).isEqualTo(Money.newBuilder().setAmountMinor(2500).setCurrency("EUR").build());
    assertThat(refunded.getPlacedAt()).isEqualTo(EventTime.of(PLACED));
    assertThat(stream.firsts).containsExactly(First.OF_ITS_TYPE);
    assertThat(gateway.refunds).containsExactly("o-1");
  }

  @Test
  @DisplayName("ask the gateway even with no outcome stored yet: a charge may be on its way, or is voided")
  void noOutcomeYet() {
    gateway.answer = Future.succeededFuture(new GatewayClient.Refund("re_2", false, "", 0, ""));

    assertThat(refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.OPERATOR_REQUESTED))).succeeded())
        .isTrue();

    assertThat(gateway.refunds).containsExactly("o-1");
    assertThat(stream.events("o-1")).as("a void is no refund: the declined charge records it").isEmpty();
  }

  @Test
  @DisplayName("refund a charge made but not yet recorded, so that its late PaymentAuthorized is not stored")
  void chargeNotYetRecorded() {
    gateway.answer = Future.succeededFuture(new GatewayClient.Refund("re_3", true, "ch_3", 1250, "EUR"));

    refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.CUSTOMER_REQUESTED)));

    assertThat(stream.only("o-1", Topology.PAYMENT_REFUNDED).getChargeId()).isEqualTo("ch_3");
    assertThat(stream.lastType("o-1")).isEqualTo(Topology.PAYMENT_REFUNDED);
  }

  @Test
  @DisplayName("do nothing for a cancellation the saga made, or a payment already declined or refunded")
  void nothingOwed() {
    assertThat(refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.OUT_OF_STOCK))).succeeded())
        .isTrue();
    assertThat(refunds.onCancelled(delivery(cancelled("o-2", CancellationReason.PAYMENT_DECLINED))).succeeded())
        .isTrue();
    stream.store(Topology.PAYMENT_DECLINED, "o-3", PaymentDeclined.newBuilder().setOrderId("o-3").build());
    assertThat(refunds.onCancelled(delivery(cancelled("o-3", CancellationReason.CUSTOMER_REQUESTED))).succeeded())
        .isTrue();
    stream.store(Topology.PAYMENT_REFUNDED, "o-4", PaymentRefunded.newBuilder().setOrderId("o-4").build());
    assertThat(refunds.onCancelled(delivery(cancelled("o-4", CancellationReason.CUSTOMER_REQUESTED))).succeeded())
        .isTrue();

    assertThat(gateway.refunds).isEmpty();
    assertThat(stream.events("o-4")).hasSize(1);
  }

  @Test
  @DisplayName("keep the refund undecided while the gateway is out, so that it is retried for as long as it takes")
  void gatewayOut() {
    stream.store(Topology.PAYMENT_AUTHORIZED, "o-1", PaymentAuthorized.newBuilder().setOrderId("o-1").build());
    gateway.answer = Future.failedFuture(new GatewayClient.Unavailable("gateway answered 503"));

    Future<?> refunded = refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.CUSTOMER_REQUESTED)));

    assertThat(refunded.failed()).isTrue();
    assertThat(refunded.cause()).isInstanceOf(Undecided.class).hasMessageContaining("gateway answered 503");
    assertThat(stream.events("o-1")).hasSize(1);
  }

  @Test
  @DisplayName("announce the refund once when a redelivery asks the gateway again (same refund answered)")
  void redelivered() {
    stream.store(Topology.PAYMENT_AUTHORIZED, "o-1", PaymentAuthorized.newBuilder().setOrderId("o-1").build());
    gateway.answer = Future.succeededFuture(new GatewayClient.Refund("re_1", true, "ch_1", 2500, "EUR"));
    refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.CUSTOMER_REQUESTED)));
    // A delivery that began before the refund was recorded, reading the outcome as it stood then.
    stream.staleOutcome = PaymentAuthorized.newBuilder().setOrderId("o-1").build();

    assertThat(refunds.onCancelled(delivery(cancelled("o-1", CancellationReason.CUSTOMER_REQUESTED))).succeeded())
        .isTrue();

    assertThat(stream.events("o-1")).hasSize(2);
    assertThat(stream.only("o-1", Topology.PAYMENT_REFUNDED).getRefundId()).isEqualTo("re_1");
  }

  private static OrderCancelled cancelled(String orderId, CancellationReason reason) {
    return OrderCancelled.newBuilder().setEventId("e-" + orderId).setOrderId(orderId)
        .setOccurredAt(EventTime.of(PLACED.plusSeconds(1))).setReason(reason).setPlacedAt(EventTime.of(PLACED))
        .build();
  }

  private static Delivery<OrderCancelled> delivery(OrderCancelled event) {
    return new Delivery<>(event, 1, 5);
  }

  /** The gateway in memory: a set answer to every refund. */
  private static final class Gateway implements Refunds.Gateway {
    final List<String> refunds = new ArrayList<>();
    Future<GatewayClient.Refund> answer = Future.failedFuture(new AssertionError("no refund expected"));

    @Override
    public Future<GatewayClient.Refund> refund(String orderId) {
      refunds.add(orderId);
      return answer;
    }
  }

  /** The payments stream in memory, read as the protocol reads it. */
  private static final class PaymentsStream extends InMemoryStream implements Refunds.Records {
    Message staleOutcome;

    @Override
    public Future<Message> outcome(String orderId) {
      if (staleOutcome != null) {
        Message stale = staleOutcome;
        staleOutcome = null;
        return Future.succeededFuture(stale);
      }
      return last(orderId).map(recorded -> recorded == null ? null : recorded.event());
    }
  }
}
