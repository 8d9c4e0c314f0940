package dev.orderflow.payments;

import dev.orderflow.config.PaymentsConfig;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.UUID;

/**
 * The payments context's event side: for each {@code StockReserved}, look the order up in the payment ledger
 * (a redelivery finds its outcome and only announces it again); otherwise charge it through the gateway, record
 * the outcome, and announce it.
 *
 * <p>A gateway that is down is retried with the consumer's backoff. The payment is recorded as FAILED (and the
 * order cancelled) when the gateway refuses the request outright, or on the last allowed delivery once the
 * gateway's charge log shows no charge for the order.
 */
public final class PaymentsVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final PaymentsConfig config;
  private final MeterRegistry registry;
  private GatewayClient gateway;
  private KeyValueStore ledger;
  private EventPublisher publisher;
  private EventSubscription subscription;

  public PaymentsVerticle(NatsBridge bridge, PaymentsConfig config, MeterRegistry registry) {
    this.bridge = bridge;
    this.registry = registry;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    gateway = new GatewayClient(vertx, config, registry);
    ledger = bridge.keyValue(Topology.PAYMENT_LEDGER);
    publisher = bridge.publisher();
    return bridge.subscribe(Topology.PAYMENTS_ON_INVENTORY, Handlers.of(Topology.STOCK_RESERVED, this::charge))
        .onSuccess(s -> subscription = s);
  }

  @Override
  public Future<?> stop() {
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }

  private Future<?> charge(Delivery<StockReserved> delivery) {
    StockReserved reserved = delivery.event();
    Money total = reserved.getTotal();
    if (total.getAmountMinor() <= 0 || total.getCurrency().isEmpty()) {
      throw new PoisonMessage("StockReserved " + reserved.getOrderId() + " has no amount to charge");
    }
    String orderId = reserved.getOrderId();
    long amount = total.getAmountMinor();
    String currency = total.getCurrency();
    return ledger.get(orderId)
        .compose(entry -> entry != null ? Future.succeededFuture(Payment.decode(entry.value()))
            : gateway.charge(orderId, reserved.getCustomerId(), amount, currency)
                .map(charge -> Payment.charged(orderId, charge, amount, currency, Instant.now()))
                .recover(e -> afterFailure(e, delivery, amount, currency))
                .compose(this::record))
        .compose(this::announce);
  }

  /**
   * A refused charge (4xx: nothing was charged) fails the payment. Any other failure is retried; on the last
   * delivery the payment fails only if the gateway's charge log confirms there is no charge. A charge found there
   * (its answer was lost) is recorded as it stands, and a gateway that cannot say leaves the message to be
   * dead-lettered for an operator, rather than cancel an order that may be paid.
   */
  private Future<Payment> afterFailure(Throwable failure, Delivery<StockReserved> delivery, long amount,
      String currency) {
    String orderId = delivery.event().getOrderId();
    if (failure instanceof GatewayClient.Refused) {
      return Future.succeededFuture(Payment.failed(orderId, amount, currency, failure.getMessage(), Instant.now()));
    }
    if (!delivery.lastAttempt()) {
      return Future.failedFuture(failure);
    }
    return gateway.findCharge(orderId).map(found -> found
        .map(charge -> Payment.charged(orderId, charge, amount, currency, Instant.now()))
        .orElseGet(() -> Payment.failed(orderId, amount, currency, failure.getMessage(), Instant.now())));
  }

  /** Records the outcome once; if another delivery recorded one first, that one stands. */
  private Future<Payment> record(Payment payment) {
    return ledger.createOrGet(payment.orderId(), payment.encode())
        .map(claim -> Payment.decode(claim.entry().value()));
  }

  private Future<Void> announce(Payment payment) {
    String eventId = UUID.randomUUID().toString();
    var occurredAt = EventTime.of(payment.at());
    return switch (payment.outcome()) {
      case AUTHORIZED -> publisher.publish(Topology.PAYMENT_AUTHORIZED, payment.orderId(),
          PaymentAuthorized.newBuilder()
              .setEventId(eventId)
              .setOrderId(payment.orderId())
              .setOccurredAt(occurredAt)
              .setChargeId(payment.chargeId())
              .setAmount(Money.newBuilder().setAmountMinor(payment.amountMinor()).setCurrency(payment.currency()))
              .build());
      case DECLINED -> publisher.publish(Topology.PAYMENT_DECLINED, payment.orderId(), PaymentDeclined.newBuilder()
          .setEventId(eventId)
          .setOrderId(payment.orderId())
          .setOccurredAt(occurredAt)
          .setChargeId(payment.chargeId())
          .setReason(payment.reason())
          .build());
      case FAILED -> publisher.publish(Topology.PAYMENT_FAILED, payment.orderId(), PaymentFailed.newBuilder()
          .setEventId(eventId)
          .setOrderId(payment.orderId())
          .setOccurredAt(occurredAt)
          .setReason(payment.reason())
          .build());
    };
  }
}
