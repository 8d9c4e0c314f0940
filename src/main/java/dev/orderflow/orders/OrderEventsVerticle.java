package dev.orderflow.orders;

import com.google.protobuf.Timestamp;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.SagaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders context's event side, a thin adapter: decides what each step's outcome means for the order
 * ({@link OrderDecisions}) and counts what it decided. A paid order is confirmed to shipping ({@code
 * OrderConfirmed}); an order that could not be reserved or paid is cancelled ({@code OrderCancelled}, with the
 * reason). Each order gets one decision: a redelivered outcome, or one that lost to a cancellation on request,
 * changes nothing.
 */
public final class OrderEventsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderEventsVerticle.class);

  private final Messaging messaging;
  private final SagaMetrics metrics;
  private OrderDecisions decisions;
  private EventLog log;
  private List<Subscription> subscriptions = List.of();

  public OrderEventsVerticle(Messaging messaging, MeterRegistry registry) {
    this.messaging = messaging;
    this.metrics = new SagaMetrics(registry);
  }

  @Override
  public Future<?> start() {
    log = messaging.eventLog();
    decisions = new OrderDecisions(OrderDecisions.Records.of(log), messaging.publisher());
    return Future.all(
            messaging.subscribe(Topology.ORDERS_ON_INVENTORY, Handlers
                .of(Topology.STOCK_REJECTED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.OUT_OF_STOCK, d.event().getPlacedAt()))
                .onGiveUp(Topology.STOCK_REJECTED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.OUT_OF_STOCK))),
            messaging.subscribe(Topology.ORDERS_ON_PAYMENTS, Handlers
                .of(Topology.PAYMENT_AUTHORIZED, d -> confirm(d.event().getOrderId(), d.event().getCustomerId(),
                    d.event().getLinesList(), d.event().getPlacedAt(), d.event().getPlacedSequence()))
                .on(Topology.PAYMENT_DECLINED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.PAYMENT_DECLINED, d.event().getPlacedAt()))
                .on(Topology.PAYMENT_FAILED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.PAYMENT_FAILED, d.event().getPlacedAt()))
                // A refund follows a cancellation this context already decided: nothing more to decide.
                .on(Topology.PAYMENT_REFUNDED, d -> Future.succeededFuture())
                .onGiveUp(Topology.PAYMENT_AUTHORIZED, (e, why) -> confirmPlaced(e.getOrderId()))
                .onGiveUp(Topology.PAYMENT_DECLINED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.PAYMENT_DECLINED))
                .onGiveUp(Topology.PAYMENT_FAILED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.PAYMENT_FAILED))))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(Subscription::stop).toList());
  }

  /** A paid order is confirmed at once, and shipping told what to ship, unless it was cancelled first. */
  private Future<?> confirm(String orderId, String customerId, List<OrderLine> lines, Timestamp placedAt,
      long placedSequence) {
    return decisions.confirm(orderId, customerId, lines, placedAt, placedSequence).onSuccess(decision -> {
      if (decision.stored()) {
        metrics.confirmed(EventTime.toInstant(placedAt), EventTime.toInstant(
            ((OrderConfirmed) decision.standing()).getOccurredAt()));
        LOG.debug("order {}: confirmed", orderId);
      } else if (decision.cancellation() != null) {
        LOG.debug("order {}: paid, but cancelled first ({}); payments refunds it", orderId,
            decision.cancellation().getReason());
      }
    });
  }

  /*
   * The compensations, for an outcome given up as poison (Handlers.onGiveUp). The outcome's type still says what
   * happened to the order, so it is carried out from the order's own record, its OrderPlaced: a payment whose
   * PaymentAuthorized is unreadable stands all the same (the payments stream holds it), so the order is confirmed
   * with what it was placed with; a rejection, decline or failure cancels it. An event about an order that was
   * never placed (or whose OrderPlaced is itself unsound) changes nothing.
   */

  private Future<?> confirmPlaced(String orderId) {
    return log.findSound(Topology.ORDER_PLACED, orderId).compose(placed -> placed == null ? Future.succeededFuture()
        : confirm(orderId, placed.getCustomerId(), placed.getLinesList(), placed.getOccurredAt(), 0));
  }

  private Future<?> cancelPlaced(String orderId, CancellationReason reason) {
    return log.findSound(Topology.ORDER_PLACED, orderId).compose(placed -> placed == null ? Future.succeededFuture()
        : cancel(orderId, reason, placed.getOccurredAt()));
  }

  private Future<?> cancel(String orderId, CancellationReason reason, Timestamp placedAt) {
    return decisions.cancel(orderId, reason, placedAt).onSuccess(decision -> {
      if (decision.stored()) {
        metrics.cancelled(reason.name(), EventTime.toInstant(placedAt), EventTime.toInstant(
            ((OrderCancelled) decision.standing()).getOccurredAt()));
        LOG.debug("order {}: cancelled, {}", orderId, reason);
      }
    });
  }
}
