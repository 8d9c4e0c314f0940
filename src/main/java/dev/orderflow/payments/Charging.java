package dev.orderflow.payments;

import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventIds;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * The payments' protocol: charging each order whose stock is reserved, once, and announcing the outcome, over three
 * small stores (the gateway, the stored outcomes, and a write-once publish), so that a unit test drives it without
 * NATS or HTTP.
 *
 * <p>The outcome event is the payment's record: PaymentAuthorized, PaymentDeclined or PaymentFailed is stored at
 * most once per order, whichever comes first ({@link First#IN_ITS_STREAM}), and the order id is the gateway's
 * idempotency key, so a repeated charge returns the first one. Every delivery first looks for a stored outcome, and
 * if there is one, does nothing more.
 *
 * <p>A gateway that is down is retried with the consumer's backoff. The payment fails (and the order is cancelled
 * and its stock released) when the gateway refuses the request outright, when the event cannot be charged at all
 * (it is also dead-lettered for an operator), or on the last allowed delivery once the gateway's charge log shows
 * no charge for the order.
 */
final class Charging {

  /** The payment gateway ({@link GatewayClient}): a charge at most once per order id, and its charge log. */
  interface Gateway {
    /**
     * Charges {@code amountMinor} to {@code customerId} for {@code orderId}. Fails with {@link GatewayClient.Refused}
     * when the gateway refuses the request itself, with {@link GatewayClient.Unavailable} when it cannot answer.
     */
    Future<GatewayClient.Charge> charge(String orderId, String customerId, long amountMinor, String currency);

    /** The charge the gateway made for {@code orderId}, if any; fails when its charge log cannot say. */
    Future<Optional<GatewayClient.Charge>> findCharge(String orderId);
  }

  /** What the payments stream holds for an order ({@link EventLog}). */
  @FunctionalInterface
  interface Records {
    /** Whether an outcome (any event of the payments stream) is stored for {@code orderId}. */
    Future<Boolean> hasOutcome(String orderId);

    static Records of(EventLog log) {
      return orderId -> log.last(Topology.PAYMENT_AUTHORIZED, orderId).map(stored -> stored != null);
    }
  }

  private final Gateway gateway;
  private final Records records;
  private final Announcer announcer;

  Charging(Gateway gateway, Records records, Announcer announcer) {
    this.gateway = gateway;
    this.records = records;
    this.announcer = announcer;
  }

  /** Charges the order of a {@code StockReserved}, or does nothing if its payment's outcome is stored. */
  Future<?> charge(Delivery<StockReserved> delivery) {
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
    return records.hasOutcome(orderId).compose(stored -> stored ? Future.succeededFuture()
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
  private Future<Written> announce(StockReserved reserved, Payment payment) {
    String eventId = EventIds.next();
    var occurredAt = EventTime.of(payment.at());
    String orderId = payment.orderId();
    return switch (payment.outcome()) {
      case AUTHORIZED -> announcer.publishFirst(Topology.PAYMENT_AUTHORIZED, orderId, PaymentAuthorized.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setChargeId(payment.chargeId())
          .setAmount(Money.newBuilder().setAmountMinor(payment.amountMinor()).setCurrency(payment.currency()))
          .setCustomerId(reserved.getCustomerId())
          .addAllLines(reserved.getLinesList())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
      case DECLINED -> announcer.publishFirst(Topology.PAYMENT_DECLINED, orderId, PaymentDeclined.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setChargeId(payment.chargeId())
          .setReason(payment.reason())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
      case FAILED -> announcer.publishFirst(Topology.PAYMENT_FAILED, orderId, PaymentFailed.newBuilder()
          .setEventId(eventId)
          .setOrderId(orderId)
          .setOccurredAt(occurredAt)
          .setReason(payment.reason())
          .setPlacedAt(reserved.getPlacedAt())
          .build(), First.IN_ITS_STREAM);
    };
  }
}
