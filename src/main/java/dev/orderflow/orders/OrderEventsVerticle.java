package dev.orderflow.orders;

import com.google.protobuf.Timestamp;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.messaging.EventIds;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.SagaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders context's event side: decides what each step's outcome means for the order, and announces it. A paid
 * order is confirmed to shipping ({@code OrderConfirmed}); an order that could not be reserved or paid is cancelled
 * ({@code OrderCancelled}, with the reason).
 *
 * <p>Each decision is written once per order: a redelivered outcome finds its decision stored and changes nothing.
 * The steps upstream store one outcome per order each, so an order is never both confirmed and cancelled.
 */
public final class OrderEventsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderEventsVerticle.class);

  private final NatsBridge bridge;
  private final SagaMetrics metrics;
  private EventPublisher publisher;
  private EventLog log;
  private List<EventSubscription> subscriptions = List.of();

  public OrderEventsVerticle(NatsBridge bridge, MeterRegistry registry) {
    this.bridge = bridge;
    this.metrics = new SagaMetrics(registry);
  }

  @Override
  public Future<?> start() {
    publisher = bridge.publisher();
    log = bridge.eventLog();
    return Future.all(
            bridge.subscribe(Topology.ORDERS_ON_INVENTORY, Handlers
                .of(Topology.STOCK_REJECTED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.OUT_OF_STOCK, d.event().getPlacedAt()))
                .onGiveUp(Topology.STOCK_REJECTED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.OUT_OF_STOCK))),
            bridge.subscribe(Topology.ORDERS_ON_PAYMENTS, Handlers
                .of(Topology.PAYMENT_AUTHORIZED, d -> confirm(d.event().getOrderId(), d.event().getCustomerId(),
                    d.event().getLinesList(), d.event().getPlacedAt()))
                .on(Topology.PAYMENT_DECLINED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.PAYMENT_DECLINED, d.event().getPlacedAt()))
                .on(Topology.PAYMENT_FAILED, d -> cancel(
                    d.event().getOrderId(), CancellationReason.PAYMENT_FAILED, d.event().getPlacedAt()))
                .onGiveUp(Topology.PAYMENT_AUTHORIZED, (e, why) -> confirmPlaced(e.getOrderId()))
                .onGiveUp(Topology.PAYMENT_DECLINED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.PAYMENT_DECLINED))
                .onGiveUp(Topology.PAYMENT_FAILED, (e, why) -> cancelPlaced(
                    e.getOrderId(), CancellationReason.PAYMENT_FAILED))))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(EventSubscription::stop).toList());
  }

  /** A paid order is confirmed at once, and shipping told what to ship. */
  private Future<?> confirm(String orderId, String customerId, List<OrderLine> lines, Timestamp placedAt) {
    Instant now = Instant.now();
    OrderConfirmed confirmed = OrderConfirmed.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(now))
        .setCustomerId(customerId)
        .addAllLines(lines)
        .setPlacedAt(placedAt)
        .build();
    return publisher.publishFirst(Topology.ORDER_CONFIRMED, orderId, confirmed, First.OF_ITS_TYPE)
        .onSuccess(written -> {
          if (written == Written.STORED) {
            metrics.confirmed(EventTime.toInstant(placedAt), now);
            LOG.debug("order {}: confirmed", orderId);
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
        : confirm(orderId, placed.getCustomerId(), placed.getLinesList(), placed.getOccurredAt()));
  }

  private Future<?> cancelPlaced(String orderId, CancellationReason reason) {
    return log.findSound(Topology.ORDER_PLACED, orderId).compose(placed -> placed == null ? Future.succeededFuture()
        : cancel(orderId, reason, placed.getOccurredAt()));
  }

  private Future<?> cancel(String orderId, CancellationReason reason, Timestamp placedAt) {
    Instant now = Instant.now();
    OrderCancelled cancelled = OrderCancelled.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(now))
        .setReason(reason)
        .setPlacedAt(placedAt)
        .build();
    return publisher.publishFirst(Topology.ORDER_CANCELLED, orderId, cancelled, First.OF_ITS_TYPE)
        .onSuccess(written -> {
          if (written == Written.STORED) {
            metrics.cancelled(reason.name(), EventTime.toInstant(placedAt), now);
            LOG.debug("order {}: cancelled, {}", orderId, reason);
          }
        });
  }
}
