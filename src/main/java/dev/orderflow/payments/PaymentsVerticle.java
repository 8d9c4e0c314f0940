package dev.orderflow.payments;

import dev.orderflow.config.PaymentsConfig;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.UUID;

/**
 * The payments context's event side: for each {@code StockReserved}, charge the order through the gateway and
 * announce the outcome. The outcome event is the payment's record: PaymentAuthorized, PaymentDeclined or
 * PaymentFailed is stored at most once per order, whichever comes first ({@link First#IN_ITS_STREAM}), and the
 * order id is the gateway's idempotency key, so a repeated charge returns the first one. Every delivery first
 * looks for a stored outcome, and if there is one, does nothing more.
 *
 * <p>A gateway that is down is retried with the consumer's backoff. The payment fails (and the order is cancelled
 * and its stock released) when the gateway refuses the request outright, when the event cannot be charged at all
 * (it is also dead-lettered for an operator), or on the last allowed delivery once the gateway's charge log shows
 * no charge for the order.
 */
public final class PaymentsVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final PaymentsConfig config;
  private final MeterRegistry registry;
  private GatewayClient gateway;
  private EventLog log;
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
    log = bridge.eventLog();
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
    String orderId = reserved.getOrderId();
    Money total = reserved.getTotal();
    String invalid = total.getAmountMinor() <= 0 ? "has no amount to charge"
        : total.getCurrency().length() != 3 ? "has no valid currency"
        : reserved.getLinesCount() == 0 ? "has no lines" : null;
    if (invalid != null) {
      // A step of the saga given up must not strand the order: it is cancelled, its stock released.
      String reason = "StockReserved " + orderId + " " + invalid;
      return announce(reserved, Payment.failed(orderId, total.getAmountMinor(), total.getCurrency(), reason,
              Instant.now()))
          .compose(v -> Future.failedFuture(new PoisonMessage(reason)));
    }
    // Looked up on every delivery, not only redeliveries: a replayed StockReserved of an order whose payment failed
    // must not charge it now.
    return log.last(Topology.PAYMENT_AUTHORIZED, orderId).map(stored -> stored != null).compose(stored -> stored ? Future.succeededFuture()
        : gateway.charge(orderId, reserved.getCustomerId(), total.getAmountMinor(), total.getCurrency())
            .map(charge -> Payment.charged(orderId, charge, total.getAmountMinor(), total.getCurrency(),
                Instant.now()))
            .recover(e -> afterFailure(e, delivery))
            .compose(payment -> announce(reserved, payment)));
  }

  /**
   * A refused charge (4xx: nothing was charged) fails the payment. Any other failure is retried; on the last
   * delivery the payment fails only if the gateway's charge log confirms there is no charge. A charge found there
   * (its answer was lost) is recorded as it stands, and a gateway that cannot say leaves the message to be
   * dead-lettered for an operator, rather than cancel an order that may be paid.
   */
  private Future<Payment> afterFailure(Throwable failure, Delivery<StockReserved> delivery) {
    StockReserved reserved = delivery.event();
    String orderId = reserved.getOrderId();
    long amount = reserved.getTotal().getAmountMinor();
    String currency = reserved.getTotal().getCurrency();
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

  /** Stores and announces the outcome, unless one is stored already (which then stands). */
  private Future<?> announce(StockReserved reserved, Payment payment) {
    String eventId = UUID.randomUUID().toString();
    var occurredAt = EventTime.of(payment.at());
    String orderId = payment.orderId();
    return switch (payment.outcome()) {
      case AUTHORIZED -> publisher.publishFirst(Topology.PAYMENT_AUTHORIZED, orderId, PaymentAuthorized.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setChargeId(payment.chargeId())
          .setAmount(Money.newBuilder().setAmountMinor(payment.amountMinor()).setCurrency(payment.currency()))
          .setCustomerId(reserved.getCustomerId())
          .addAllLines(reserved.getLinesList())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
      case DECLINED -> publisher.publishFirst(Topology.PAYMENT_DECLINED, orderId, PaymentDeclined.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setChargeId(payment.chargeId())
          .setReason(payment.reason())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
      case FAILED -> publisher.publishFirst(Topology.PAYMENT_FAILED, orderId, PaymentFailed.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setReason(payment.reason())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
    };
  }
}
