package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The inventory context's event side: seeds the catalogue's stock on first start, reserves stock for each
 * {@code OrderPlaced}, and releases it when the payment is declined or fails.
 *
 * <p>The outcome event is the order's reservation record: {@code StockReserved} or {@code StockRejected} is stored
 * at most once per order, whichever comes first ({@link First#IN_ITS_STREAM}). Reserving: every line at once (each
 * SKU batching its changes, see {@link StockKeeper}); the stock itself remembers which orders hold units until
 * their outcome is stored, so a repeat of the same reservation changes nothing. Then the outcome is announced, and
 * the stock brought in line with it: a reserved order's holds are settled, a rejected order's taken lines given
 * back. Every delivery first looks for a stored outcome and, if there is one, only brings the stock in line with
 * it.
 *
 * <p>Releasing: the lines come from the order's {@code StockReserved}; the stock remembers each applied release until
 * {@code StockReleased} is stored (once per order), so a release never happens twice.
 */
public final class InventoryVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final Catalogue catalogue;
  private StockKeeper stock;
  private EventLog log;
  private EventPublisher publisher;
  private List<EventSubscription> subscriptions = List.of();

  public InventoryVerticle(NatsBridge bridge, Catalogue catalogue) {
    this.bridge = bridge;
    this.catalogue = catalogue;
  }

  @Override
  public Future<?> start() {
    stock = new StockKeeper(bridge.keyValue(Topology.STOCK));
    log = bridge.eventLog();
    publisher = bridge.publisher();
    return Future.all(catalogue.items().stream().map(item -> stock.seed(item.sku(), item.initialStock())).toList())
        .compose(seeded -> Future.all(
            bridge.subscribe(Topology.INVENTORY_ON_ORDERS, Handlers.of(Topology.ORDER_PLACED, this::reserve)),
            bridge.subscribe(Topology.INVENTORY_ON_PAYMENTS, Handlers
                .of(Topology.PAYMENT_DECLINED, d -> release(d.event().getOrderId()))
                .on(Topology.PAYMENT_FAILED, d -> release(d.event().getOrderId())))))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(EventSubscription::stop).toList());
  }

  private Future<?> reserve(Delivery<OrderPlaced> delivery) {
    OrderPlaced order = delivery.event();
    List<StockLines.Line> lines = StockLines.of("OrderPlaced", order.getOrderId(), order.getLinesList(), catalogue);
    // Looked up on every delivery, not only redeliveries: a consumer made anew (or any replay) delivers old orders
    // as if for the first time, and the stock's per-order markers are gone once an outcome is stored.
    return log.last(Topology.STOCK_RESERVED, order.getOrderId()).compose(stored -> stored == null
        ? decide(order, lines)
        : settle(stored.type(), order.getOrderId(), lines));
  }

  /** Reserves every line, then stores and announces the outcome, and settles the stock with the one that stands. */
  private Future<Void> decide(OrderPlaced order, List<StockLines.Line> lines) {
    String orderId = order.getOrderId();
    List<Future<Boolean>> held = lines.stream().map(line -> stock.reserve(line.sku(), orderId, line.quantity()))
        .toList();
    return Future.all(held)
        .compose(all -> {
          List<String> missing = new ArrayList<>();
          for (int i = 0; i < held.size(); i++) {
            if (!held.get(i).result()) {
              missing.add(lines.get(i).sku());
            }
          }
          Instant now = Instant.now();
          return missing.isEmpty()
              ? publisher.publishFirst(Topology.STOCK_RESERVED, orderId, reserved(order, now), First.IN_ITS_STREAM)
                  .compose(written -> standing(written, Topology.STOCK_RESERVED, orderId, lines))
              : publisher.publishFirst(Topology.STOCK_REJECTED, orderId, rejected(order, missing, now),
                      First.IN_ITS_STREAM)
                  .compose(written -> standing(written, Topology.STOCK_REJECTED, orderId, lines));
        });
  }

  /** Settles the stock with the outcome that stands: this one, or one stored before it (a takeover's race). */
  private Future<Void> standing(Written written, EventType<?> ours, String orderId,
      List<StockLines.Line> lines) {
    if (written != Written.PREEMPTED) {
      return settle(ours, orderId, lines);
    }
    return log.last(ours, orderId).compose(stored -> stored == null
        ? Future.failedFuture(new IllegalStateException("an outcome of order " + orderId + " stands but cannot be read"))
        : settle(stored.type(), orderId, lines));
  }

  /**
   * Brings the stock in line with a stored outcome: a reserved order's holds are settled (the outcome now answers
   * for them); a rejected order gives back whatever line it took. Idempotent, so it also finishes the work of a
   * delivery that crashed after storing the outcome.
   */
  private Future<Void> settle(EventType<?> outcome, String orderId, List<StockLines.Line> lines) {
    if (outcome.equals(Topology.STOCK_REJECTED)) {
      return forEachLine(lines, line -> stock.unreserve(line.sku(), orderId));
    }
    // StockReserved, or a StockReleased after it: the holds only need forgetting, which rides on the next write.
    lines.forEach(line -> stock.settleHold(line.sku(), orderId));
    return Future.succeededFuture();
  }

  private Future<?> release(String orderId) {
    return log.find(Topology.STOCK_RELEASED, orderId).compose(released -> {
      if (released != null) {
        // Released before: only the stock's markers may be left to settle.
        released.getLinesList().forEach(line -> stock.settleReturn(line.getSku(), orderId));
        return Future.succeededFuture();
      }
      return log.find(Topology.STOCK_RESERVED, orderId).compose(reserved -> {
        if (reserved == null) {
          // Payments acts only after StockReserved; a reader that does not see it yet sees it on a retry.
          return Future.failedFuture(new IllegalStateException("order " + orderId + " has no StockReserved yet"));
        }
        List<StockLines.Line> lines =
            StockLines.of("StockReserved", orderId, reserved.getLinesList(), catalogue);
        return forEachLine(lines, line -> stock.release(line.sku(), orderId, line.quantity()))
            .compose(v -> publisher.publishFirst(Topology.STOCK_RELEASED, orderId, released(reserved, Instant.now()),
                First.OF_ITS_TYPE))
            .onSuccess(written -> lines.forEach(line -> stock.settleReturn(line.sku(), orderId)));
      });
    });
  }

  private static StockReserved reserved(OrderPlaced order, Instant at) {
    return StockReserved.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOrderId(order.getOrderId())
        .setOccurredAt(EventTime.of(at))
        .setCustomerId(order.getCustomerId())
        .addAllLines(order.getLinesList())
        .setTotal(order.getTotal())
        .setPlacedAt(order.getOccurredAt())
        .build();
  }

  private static StockRejected rejected(OrderPlaced order, List<String> missing, Instant at) {
    return StockRejected.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOrderId(order.getOrderId())
        .setOccurredAt(EventTime.of(at))
        .addAllSkus(missing)
        .setPlacedAt(order.getOccurredAt())
        .build();
  }

  private StockReleased released(StockReserved reserved, Instant at) {
    return StockReleased.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOrderId(reserved.getOrderId())
        .setOccurredAt(EventTime.of(at))
        .addAllLines(reserved.getLinesList().stream().map(line -> OrderLine.newBuilder()
            .setSku(line.getSku())
            .setQuantity(line.getQuantity())
            .setUnitPrice(Money.newBuilder().setCurrency(catalogue.currency())
                .setAmountMinor(catalogue.item(line.getSku()).map(Catalogue.Item::unitPriceMinor).orElse(0L)))
            .build()).toList())
        .build();
  }

  /** Runs {@code step} for every line at once; completes when all are done. */
  private static Future<Void> forEachLine(List<StockLines.Line> lines, Function<StockLines.Line, Future<?>> step) {
    return Future.all(lines.stream().map(step).toList()).mapEmpty();
  }
}
