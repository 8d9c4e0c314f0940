package dev.orderflow.payments;

import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.Undecided;
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
 * ({@link #giveUp}: it is also dead-lettered for an operator), or from the last allowed delivery on, once the
 * gateway's charge log shows no charge for the order.
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

  /** What the streams hold for an order ({@link EventLog}). */
  interface Records {
    /** Whether an outcome (any event of the payments stream) is stored for {@code orderId}. */
    Future<Boolean> hasOutcome(String orderId);

    /** The order's {@code OrderPlaced}, or {@code null} if it was never placed. */
    Future<OrderPlaced> placed(String orderId);

    static Records of(EventLog log) {
      return new Records() {
        @Override
        public Future<Boolean> hasOutcome(String orderId) {
          return log.last(Topology.PAYMENT_AUTHORIZED, orderId).map(stored -> stored != null);
        }

        @Override
        public Future<OrderPlaced> placed(String orderId) {
          return log.findSound(Topology.ORDER_PLACED, orderId);
        }
      };
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

  /**
   * Charges the order of a {@code StockReserved}, or does nothing if its payment's outcome is stored. The event's
   * shape (a total above zero in a currency, lines that add up to it) is checked before it gets here.
   */
  Future<?> charge(Delivery<StockReserved> delivery) {
    StockReserved reserved = delivery.event();
    String orderId = reserved.getOrderId();
    Money total = reserved.getTotal();
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
   * A {@code StockReserved} given up as poison (see {@link dev.orderflow.messaging.Handlers#onGiveUp}): the
   * payment fails, so that the order is cancelled and its stock released rather than left reserved. Only for an
   * order that was placed, and never over an outcome already stored; nothing was charged, since a poison event
   * never reaches the gateway.
   */
  Future<?> giveUp(StockReserved reserved, String reason) {
    String orderId = reserved.getOrderId();
    return records.placed(orderId).compose(placed -> placed == null ? Future.succeededFuture()
        : announcer.publishFirst(Topology.PAYMENT_FAILED, orderId, PaymentFailed.newBuilder()
            .setEventId(EventIds.next())
            .setOrderId(orderId)
            .setOccurredAt(EventTime.of(Instant.now()))
            .setReason(reason)
            .setPlacedAt(placed.getOccurredAt())
            .build(), First.IN_ITS_STREAM));
  }

  /**
   * A refused charge (4xx: nothing was charged) fails the payment. Any other failure is retried; on the last
   * delivery the payment fails only if the gateway's charge log confirms there is no charge. A charge found there
   * (its answer was lost) is recorded as it stands. A gateway that cannot say (it is still down) leaves the
   * message {@link Undecided}: retried at the longest backoff until the gateway answers, however long it is out,
   * rather than cancel an order that may be paid or give it up to an operator.
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
    return gateway.findCharge(orderId)
        .<Payment>map(found -> found
            .map(charge -> Payment.charged(orderId, charge, amount, currency, Instant.now()))
            .orElseGet(() -> Payment.failed(orderId, amount, currency, failure.getMessage(), Instant.now())))
        .recover(unknown -> Future.failedFuture(new Undecided("the gateway cannot say whether order " + orderId
            + " was charged (" + failure.getMessage() + "; its charge log: " + unknown.getMessage() + ")", unknown)));
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
          .setPlacedSequence(reserved.getPlacedSequence())
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
