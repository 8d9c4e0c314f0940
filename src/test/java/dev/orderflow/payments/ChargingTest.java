package dev.orderflow.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.Undecided;
import dev.orderflow.testing.InMemoryStream;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The charging protocol over in-memory stores: the gateway with its charge log, and the payments stream. */
@DisplayName("Charging")
class ChargingTest {

  private static final int MAX_ATTEMPTS = 5;
  private static final Instant PLACED = Instant.parse("2026-11-25T17:00:00Z");

  private final Gateway gateway = new Gateway();
  private final PaymentsStream stream = new PaymentsStream();
  private final Charging charging = new Charging(gateway, stream, stream);

  @Test
  @DisplayName("charge the order once and announce PaymentAuthorized with the charge, amount, customer and lines")
  void authorized() {
    gateway.answer = Future.succeededFuture(new GatewayClient.Charge("ch_1", true, ""));

    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    assertThat(gateway.charges).containsExactly("o-1 c-1 2500 EUR");
    PaymentAuthorized authorized = stream.only("o-1", Topology.PAYMENT_AUTHORIZED);
    assertThat(authorized.getChargeId()).isEqualTo("ch_1");
    assertThat(authorized.getAmount()).isEqualTo(Money.newBuilder().setAmountMinor(2500).setCurrency("EUR").build());
    assertThat(authorized.getCustomerId()).isEqualTo("c-1");
    assertThat(authorized.getLinesList()).extracting(OrderLine::getSku).containsExactly("MUG-LOGO", "POSTER-A2");
    assertThat(authorized.getPlacedAt()).isEqualTo(EventTime.of(PLACED));
    assertThat(stream.firsts).containsOnly(First.IN_ITS_STREAM);
  }

  @Test
  @DisplayName("charge nothing and announce nothing for an order whose payment's outcome is stored")
  void outcomeStored() {
    stream.store(Topology.PAYMENT_FAILED, "o-1", PaymentFailed.newBuilder().setOrderId("o-1").build());

    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    assertThat(gateway.charges).isEmpty();
    assertThat(stream.events("o-1")).singleElement().isInstanceOf(PaymentFailed.class);
  }

  @Test
  @DisplayName("announce PaymentDeclined with the gateway's charge id and reason")
  void declined() {
    gateway.answer = Future.succeededFuture(new GatewayClient.Charge("ch_2", false, "card declined"));

    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    PaymentDeclined declined = stream.only("o-1", Topology.PAYMENT_DECLINED);
    assertThat(declined.getChargeId()).isEqualTo("ch_2");
    assertThat(declined.getReason()).isEqualTo("card declined");
    assertThat(stream.events("o-1")).hasSize(1);
  }

  @Test
  @DisplayName("fail the payment at once when the gateway refuses the charge (a 4xx)")
  void refused() {
    gateway.answer = Future.failedFuture(new GatewayClient.Refused("gateway refused the charge with 422: bad card"));

    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    assertThat(stream.only("o-1", Topology.PAYMENT_FAILED).getReason())
        .isEqualTo("gateway refused the charge with 422: bad card");
    assertThat(gateway.logAsked).isZero();
  }

  @Test
  @DisplayName("fail the delivery, for a retry, when the gateway is unavailable before the last attempt")
  void unavailableRetried() {
    gateway.answer = Future.failedFuture(new GatewayClient.Unavailable("gateway answered 503"));

    Future<?> charged = charging.charge(new Delivery<>(reserved("o-1"), MAX_ATTEMPTS - 1, MAX_ATTEMPTS));

    assertThat(charged.failed()).isTrue();
    assertThat(charged.cause()).isInstanceOf(GatewayClient.Unavailable.class).hasMessage("gateway answered 503");
    assertThat(stream.events("o-1")).isEmpty();
    assertThat(gateway.logAsked).isZero();
  }

  @Test
  @DisplayName("on the last attempt, record a charge the gateway's log shows as it stands (its answer was lost)")
  void lastAttemptFindsCharge() {
    gateway.answer = Future.failedFuture(new GatewayClient.Unavailable("gateway unreachable: timeout"));
    gateway.log = Future.succeededFuture(Optional.of(new GatewayClient.Charge("ch_3", true, "")));

    assertThat(charging.charge(last(reserved("o-1"))).succeeded()).isTrue();

    assertThat(stream.only("o-1", Topology.PAYMENT_AUTHORIZED).getChargeId()).isEqualTo("ch_3");
    assertThat(stream.events("o-1")).hasSize(1);
    assertThat(gateway.logAsked).isEqualTo(1);
  }

  @Test
  @DisplayName("on the last attempt, fail the payment when the gateway's log shows no charge")
  void lastAttemptNoCharge() {
    gateway.answer = Future.failedFuture(new GatewayClient.Unavailable("gateway answered 503"));
    gateway.log = Future.succeededFuture(Optional.empty());

    assertThat(charging.charge(last(reserved("o-1"))).succeeded()).isTrue();

    assertThat(stream.only("o-1", Topology.PAYMENT_FAILED).getReason()).isEqualTo("gateway answered 503");
    assertThat(stream.events("o-1")).hasSize(1);
  }

  @Test
  @DisplayName("from the last attempt on, keep the order undecided (retried, never given up) while the gateway's log "
      + "cannot say")
  void lastAttemptLogUnreachable() {
    gateway.answer = Future.failedFuture(new GatewayClient.Unavailable("gateway answered 503"));
    gateway.log = Future.failedFuture(new GatewayClient.Unavailable("gateway charge log unreachable: refused"));

    Future<?> charged = charging.charge(last(reserved("o-1")));

    assertThat(charged.failed()).isTrue();
    assertThat(charged.cause()).isInstanceOf(Undecided.class).hasMessage("the gateway cannot say whether order o-1 "
        + "was charged (gateway answered 503; its charge log: gateway charge log unreachable: refused)");
    assertThat(stream.events("o-1")).isEmpty();
  }

  @Test
  @DisplayName("let an outcome another delivery stored first stand")
  void preempted() {
    gateway.answer = Future.succeededFuture(new GatewayClient.Charge("ch_1", true, ""));
    // Another delivery of the order fails it between this one's look-up and its write.
    stream.beforeNextPublish = () -> stream.store(Topology.PAYMENT_FAILED, "o-1",
        PaymentFailed.newBuilder().setOrderId("o-1").build());

    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    assertThat(stream.events("o-1")).singleElement().isInstanceOf(PaymentFailed.class);
  }

  @Test
  @DisplayName("given up as poison, fail the payment of a placed order with the reason, charging nothing")
  void giveUpPlaced() {
    stream.placed.add("o-1");

    assertThat(charging.giveUp(reserved("o-1"), "invalid StockReserved o-1: has no lines").succeeded()).isTrue();

    PaymentFailed failed = stream.only("o-1", Topology.PAYMENT_FAILED);
    assertThat(failed.getReason()).isEqualTo("invalid StockReserved o-1: has no lines");
    assertThat(EventTime.toInstant(failed.getPlacedAt())).isEqualTo(PLACED);
    assertThat(gateway.charges).isEmpty();
  }

  @Test
  @DisplayName("given up as poison, change nothing for an order that was never placed")
  void giveUpUnknown() {
    assertThat(charging.giveUp(reserved("o-forged"), "invalid").succeeded()).isTrue();

    assertThat(stream.events("o-forged")).isEmpty();
  }

  @Test
  @DisplayName("given up as poison, leave a payment outcome already stored as it stands")
  void giveUpAfterOutcome() {
    stream.placed.add("o-1");
    gateway.answer = Future.succeededFuture(new GatewayClient.Charge("ch-1", true, ""));
    assertThat(charging.charge(first(reserved("o-1"))).succeeded()).isTrue();

    assertThat(charging.giveUp(reserved("o-1"), "invalid").succeeded()).isTrue();

    assertThat(stream.events("o-1")).singleElement().isInstanceOf(PaymentAuthorized.class);
  }

  private static StockReserved reserved(String orderId) {
    return StockReserved.newBuilder()
        .setEventId("e-" + orderId)
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(PLACED.plusMillis(3)))
        .setCustomerId("c-1")
        .addLines(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(2)
            .setUnitPrice(Money.newBuilder().setAmountMinor(1000).setCurrency("EUR")))
        .addLines(OrderLine.newBuilder().setSku("POSTER-A2").setQuantity(1)
            .setUnitPrice(Money.newBuilder().setAmountMinor(500).setCurrency("EUR")))
        .setTotal(Money.newBuilder().setAmountMinor(2500).setCurrency("EUR"))
        .setPlacedAt(EventTime.of(PLACED))
        .build();
  }

  private static Delivery<StockReserved> first(StockReserved event) {
    return new Delivery<>(event, 1, MAX_ATTEMPTS);
  }

  private static Delivery<StockReserved> last(StockReserved event) {
    return new Delivery<>(event, MAX_ATTEMPTS, MAX_ATTEMPTS);
  }

  /** The gateway in memory: a set answer to every charge, and a set answer from its charge log. */
  private static final class Gateway implements Charging.Gateway {
    final List<String> charges = new ArrayList<>();
    Future<GatewayClient.Charge> answer = Future.failedFuture(new AssertionError("no charge expected"));
    Future<Optional<GatewayClient.Charge>> log = Future.failedFuture(new AssertionError("no look-up expected"));
    int logAsked;

    @Override
    public Future<GatewayClient.Charge> charge(String orderId, String customerId, long amountMinor, String currency) {
      charges.add(orderId + " " + customerId + " " + amountMinor + " " + currency);
      return answer;
    }

    @Override
    public Future<Optional<GatewayClient.Charge>> findCharge(String orderId) {
      logAsked++;
      return log;
    }
  }

  /** The payments stream in memory, read as the protocol reads it. */
  private static final class PaymentsStream extends InMemoryStream implements Charging.Records {
    /** The orders whose OrderPlaced the orders stream holds. */
    final Set<String> placed = new HashSet<>();

    @Override
    public Future<Boolean> hasOutcome(String orderId) {
      return Future.succeededFuture(lastType(orderId) != null);
    }

    @Override
    public Future<OrderPlaced> placed(String orderId) {
      return Future.succeededFuture(placed.contains(orderId)
          ? OrderPlaced.newBuilder().setOrderId(orderId).setOccurredAt(EventTime.of(PLACED)).build() : null);
    }
  }
}
