package dev.orderflow.payments;

import dev.orderflow.config.ConsumerConfig;
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
import dev.orderflow.messaging.WriteConflict;
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
 * <p>A gateway that is down is retried with the consumer's backoff; on the last allowed delivery, or when the
 * gateway refuses the request outright, the payment is recorded as FAILED and the order is cancelled.
 */
public final class PaymentsVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final PaymentsConfig config;
  private final ConsumerConfig consumers;
  private final MeterRegistry registry;
  private GatewayClient gateway;
  private KeyValueStore ledger;
  private EventPublisher publisher;
  private EventSubscription subscription;

  public PaymentsVerticle(NatsBridge bridge, PaymentsConfig config, ConsumerConfig consumers, MeterRegistry registry) {
    this.bridge = bridge;
    this.registry = registry;
    this.config = config;
    this.consumers = consumers;
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
    return subscription == null ? Future.succeededFuture() : subscription.stop(consumers.ackWait());
  }

  private Future<?> charge(Delivery<StockReserved> delivery) {
    StockReserved reserved = delivery.event();
    Money total = reserved.getTotal();
    if (total.getAmountMinor() <= 0 || total.getCurrency().isEmpty()) {
      throw new PoisonMessage("StockReserved " + reserved.getOrderId() + " has no amount to charge");
    }
    String orderId = reserved.getOrderId();
    return ledger.get(orderId)
        .compose(entry -> entry != null ? Future.succeededFuture(Payment.decode(entry.value()))
            : gateway.charge(orderId, reserved.getCustomerId(), total.getAmountMinor(), total.getCurrency())
                .map(charge -> Payment.charged(orderId, charge, total.getAmountMinor(), total.getCurrency(),
                    Instant.now()))
                .recover(e -> giveUp(e, delivery)
                    ? Future.succeededFuture(Payment.failed(orderId, total.getAmountMinor(), total.getCurrency(),
                        e.getMessage(), Instant.now()))
                    : Future.failedFuture(e))
                .compose(this::record))
        .compose(this::announce);
  }

  private static boolean giveUp(Throwable failure, Delivery<?> delivery) {
    return failure instanceof GatewayClient.Refused || delivery.lastAttempt();
  }

  /** Records the outcome once; if another delivery recorded one first, that one stands. */
  private Future<Payment> record(Payment payment) {
    return ledger.create(payment.orderId(), payment.encode())
        .map(payment)
        .recover(e -> e instanceof WriteConflict
            ? ledger.get(payment.orderId()).map(entry -> Payment.decode(entry.value()))
            : Future.failedFuture(e));
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
