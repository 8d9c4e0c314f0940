package dev.orderflow.orders;

import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.WriteConflict;
import dev.orderflow.events.v1.Money;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders context's event side: creates the order view from {@code OrderPlaced}, feeds every later event
 * through the {@link OrderStateMachine}, and announces what the machine decides ({@code OrderConfirmed},
 * {@code OrderCancelled}).
 *
 * <p>A reaction is published before the view is written. A crash in between leaves the view behind, so the
 * event is redelivered, decided again and the reaction published again, which the stream drops as a duplicate.
 */
public final class OrderEventsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderEventsVerticle.class);
  /** Lost compare-and-set races tolerated in a row before the delivery is retried later instead. */
  private static final int MAX_CONFLICTS = 10;

  private final NatsBridge bridge;
  private final OrderMetrics metrics;
  private OrderViews views;
  private EventPublisher publisher;
  private List<EventSubscription> subscriptions = List.of();

  public OrderEventsVerticle(NatsBridge bridge, MeterRegistry registry) {
    this.bridge = bridge;
    this.metrics = new OrderMetrics(registry);
  }

  @Override
  public Future<?> start() {
    views = new OrderViews(bridge.keyValue(Topology.ORDER_VIEWS));
    publisher = bridge.publisher();
    return Future.all(List.of(
            bridge.subscribe(Topology.ORDERS_ON_ORDERS, Handlers.of(Topology.ORDER_PLACED, this::onPlaced)),
            bridge.subscribe(Topology.ORDERS_ON_INVENTORY, Handlers
                .of(Topology.STOCK_RESERVED, d -> apply(d.event().getOrderId(), OrderFact.STOCK_RESERVED,
                    d.event().getOccurredAt()))
                .on(Topology.STOCK_REJECTED, d -> apply(d.event().getOrderId(), OrderFact.STOCK_REJECTED,
                    d.event().getOccurredAt()))),
            bridge.subscribe(Topology.ORDERS_ON_PAYMENTS, Handlers
                .of(Topology.PAYMENT_AUTHORIZED, d -> apply(d.event().getOrderId(), OrderFact.PAYMENT_AUTHORIZED,
                    d.event().getOccurredAt()))
                .on(Topology.PAYMENT_DECLINED, d -> apply(d.event().getOrderId(), OrderFact.PAYMENT_DECLINED,
                    d.event().getOccurredAt()))
                .on(Topology.PAYMENT_FAILED, d -> apply(d.event().getOrderId(), OrderFact.PAYMENT_FAILED,
                    d.event().getOccurredAt()))),
            bridge.subscribe(Topology.ORDERS_ON_SHIPPING, Handlers
                .of(Topology.SHIPMENT_SCHEDULED, d -> apply(d.event().getOrderId(), OrderFact.SHIPMENT_SCHEDULED,
                    d.event().getOccurredAt())))))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(EventSubscription::stop).toList());
  }

  private Future<?> onPlaced(Delivery<OrderPlaced> delivery) {
    OrderPlaced event = delivery.event();
    if (event.getLinesCount() == 0 || !event.hasTotal()) {
      throw new PoisonMessage("OrderPlaced " + event.getOrderId() + " has no lines or no total");
    }
    Order order = Order.placed(
        event.getOrderId(),
        event.getCustomerId(),
        event.getLinesList().stream()
            .map(l -> new Order.Line(l.getSku(), l.getQuantity(), l.getUnitPrice().getAmountMinor()))
            .toList(),
        event.getTotal().getAmountMinor(),
        event.getTotal().getCurrency(),
        EventTime.toInstant(event.getOccurredAt()));
    // Already there means this is a redelivery, and there is nothing left to do.
    return views.create(order).recover(e -> e instanceof WriteConflict ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private Future<Void> apply(String orderId, OrderFact fact, Timestamp occurredAt) {
    return apply(orderId, fact, EventTime.toInstant(occurredAt), Instant.now(), MAX_CONFLICTS);
  }

  /**
   * @param decidedAt when this delivery first decided: a retry after a lost compare-and-set keeps it, because the
   *     reaction (say OrderConfirmed) went out then, and later steps (shipping) may already have followed it
   */
  private Future<Void> apply(String orderId, OrderFact fact, Instant at, Instant decidedAt, int conflictsLeft) {
    return views.get(orderId).compose(view -> {
      if (view == null) {
        // The view is made from OrderPlaced on another consumer, which may lag; retry after a backoff.
        return Future.failedFuture(new IllegalStateException("order " + orderId + " has no view yet"));
      }
      OrderStateMachine.Decision decision = OrderStateMachine.decide(view.order(), fact, at, decidedAt);
      if (decision.order() == view.order()) {
        return Future.succeededFuture();
      }
      return announce(decision)
          .compose(v -> views.replace(decision.order(), view.revision()))
          .<Void>map(revision -> {
            metrics.transition(view.order(), decision.order());
            LOG.debug("order {}: {} -> {}", orderId, fact, decision.order().status());
            return null;
          })
          .recover(e -> {
            if (e instanceof WriteConflict && conflictsLeft > 0) {
              return apply(orderId, fact, at, decidedAt, conflictsLeft - 1);
            }
            return Future.failedFuture(e);
          });
    });
  }

  private Future<Void> announce(OrderStateMachine.Decision decision) {
    Order order = decision.order();
    Timestamp now = EventTime.of(Instant.now());
    return switch (decision.reaction()) {
      case NONE -> Future.succeededFuture();
      case CONFIRM -> publisher.publish(Topology.ORDER_CONFIRMED, order.id(), OrderConfirmed.newBuilder()
          .setEventId(UUID.randomUUID().toString())
          .setOrderId(order.id())
          .setOccurredAt(now)
          .setCustomerId(order.customerId())
          .addAllLines(order.lines().stream().map(line -> OrderLine.newBuilder()
              .setSku(line.sku())
              .setQuantity(line.quantity())
              .setUnitPrice(Money.newBuilder().setAmountMinor(line.unitPriceMinor()).setCurrency(order.currency()))
              .build()).toList())
          .build());
      case CANCEL -> publisher.publish(Topology.ORDER_CANCELLED, order.id(), OrderCancelled.newBuilder()
          .setEventId(UUID.randomUUID().toString())
          .setOrderId(order.id())
          .setOccurredAt(now)
          .setReason(order.cancellationReason() == null
              ? CancellationReason.CANCELLATION_REASON_UNSPECIFIED : order.cancellationReason())
          .build());
    };
  }
}
