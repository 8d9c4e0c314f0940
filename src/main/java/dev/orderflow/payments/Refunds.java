package dev.orderflow.payments;

import com.google.protobuf.Message;
import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentRefunded;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.Undecided;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * The payments' side of a cancellation on request: the order's payment is refunded, or voided if nothing was
 * charged yet, exactly once, over the same small stores as {@link Charging}.
 *
 * <p>The gateway decides between a charge and a cancellation, as it would for a real shop: the refund goes to it
 * whatever the payments stream holds so far (a charge may be on its way), and it either refunds the order's
 * charge, or voids the payment so that a charge asked for later is declined ({@code PaymentDeclined}, after
 * which inventory releases the stock as for any decline). A refund is recorded as {@code PaymentRefunded}, once
 * per order, which inventory releases the stock on. Cancellations the saga itself made (out of stock, payment
 * declined or failed) owe no refund: nothing was charged.
 */
final class Refunds {

  /** The gateway's refund ({@link GatewayClient}). */
  interface Gateway {
    /** Refunds the order's charge or voids its payment; fails like {@link Charging.Gateway#charge}. */
    Future<GatewayClient.Refund> refund(String orderId);
  }

  /** What the payments stream holds for an order ({@link EventLog}). */
  interface Records {
    /** The order's last payments event, or {@code null}. */
    Future<Message> outcome(String orderId);

    static Records of(EventLog log) {
      return orderId -> log.last(Topology.PAYMENT_AUTHORIZED, orderId).map(stored -> stored == null ? null
          : stored.event());
    }
  }

  private final Gateway gateway;
  private final Records records;
  private final Announcer announcer;

  Refunds(Gateway gateway, Records records, Announcer announcer) {
    this.gateway = gateway;
    this.records = records;
    this.announcer = announcer;
  }

  /** Whether a cancellation for {@code reason} may have come after a charge: one asked for by a person. */
  static boolean onRequest(CancellationReason reason) {
    return reason == CancellationReason.CUSTOMER_REQUESTED || reason == CancellationReason.OPERATOR_REQUESTED;
  }

  /**
   * Refunds or voids the payment of a cancelled order, unless its outcome already settles it (declined, failed,
   * refunded). A gateway that cannot answer leaves the message {@link Undecided}: a refund owed is never given up,
   * however long the gateway is out.
   */
  Future<?> onCancelled(Delivery<OrderCancelled> delivery) {
    OrderCancelled cancelled = delivery.event();
    if (!onRequest(cancelled.getReason())) {
      return Future.succeededFuture();
    }
    String orderId = cancelled.getOrderId();
    return records.outcome(orderId).compose(outcome -> outcome != null && !(outcome instanceof PaymentAuthorized)
        ? Future.succeededFuture()
        : gateway.refund(orderId)
            .recover(e -> Future.failedFuture(e instanceof GatewayClient.Unavailable
                ? new Undecided("the refund of order " + orderId + " waits for the gateway: " + e.getMessage(), e)
                : e))
            .compose(refund -> refund.refunded() ? announce(cancelled, refund) : Future.succeededFuture()));
  }

  private Future<?> announce(OrderCancelled cancelled, GatewayClient.Refund refund) {
    String orderId = cancelled.getOrderId();
    return announcer.publishFirst(Topology.PAYMENT_REFUNDED, orderId, PaymentRefunded.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setChargeId(refund.chargeId())
        .setRefundId(refund.refundId())
        .setAmount(Money.newBuilder().setAmountMinor(refund.amountMinor()).setCurrency(refund.currency()))
        .setPlacedAt(cancelled.getPlacedAt())
        .build(), First.OF_ITS_TYPE);
  }
}
