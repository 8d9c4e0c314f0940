package dev.orderflow.inventory;

import com.google.protobuf.Message;
import dev.orderflow.config.Catalogue;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventIds;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The inventory's protocol: reserving an order's stock and releasing it, each exactly once in effect, over three
 * small stores (the stock, the stored outcomes, and a write-once publish), so that a unit test drives it without
 * NATS.
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
final class Reservations {

  /** Per-SKU stock changes, each idempotent per order ({@link StockKeeper}). */
  interface StockChanges {
    Future<Boolean> reserve(String sku, String orderId, long quantity);

    Future<Void> unreserve(String sku, String orderId);

    Future<Void> release(String sku, String orderId, long quantity);

    void settleHold(String sku, String orderId);

    void settleReturn(String sku, String orderId);
  }

  /** What the inventory stream holds for an order ({@link EventLog}); {@code null} where nothing is stored. */
  interface Records {
    /** The type of the order's last inventory event: its outcome, or the {@code StockReleased} after it. */
    Future<EventType<?>> outcome(String orderId);

    /** The order's event of {@code type}. */
    <T extends Message> Future<T> find(EventType<T> type, String orderId);

    static Records of(EventLog log) {
      return new Records() {
        @Override
        public Future<EventType<?>> outcome(String orderId) {
          return log.last(Topology.STOCK_RESERVED, orderId).map(stored -> stored == null ? null : stored.type());
        }

        @Override
        public <T extends Message> Future<T> find(EventType<T> type, String orderId) {
          return log.find(type, orderId);
        }
      };
    }
  }

  private final StockChanges stock;
  private final Records records;
  private final Announcer announcer;
  private final Catalogue catalogue;

  Reservations(StockChanges stock, Records records, Announcer announcer, Catalogue catalogue) {
    this.stock = stock;
    this.records = records;
    this.announcer = announcer;
    this.catalogue = catalogue;
  }

  /** Reserves {@code order}'s stock, or finishes what an earlier delivery of it began. */
  Future<Void> reserve(OrderPlaced order) {
    List<StockLines.Line> lines = StockLines.of("OrderPlaced", order.getOrderId(), order.getLinesList(), catalogue);
    // Looked up on every delivery, not only redeliveries: a consumer made anew (or any replay) delivers old orders
    // as if for the first time, and the stock's per-order markers are gone once an outcome is stored.
    return records.outcome(order.getOrderId()).compose(stored -> stored == null
        ? decide(order, lines)
        : settle(stored, order.getOrderId(), lines));
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
              ? announcer.publishFirst(Topology.STOCK_RESERVED, orderId, reserved(order, now), First.IN_ITS_STREAM)
                  .compose(written -> standing(written, Topology.STOCK_RESERVED, orderId, lines))
              : announcer.publishFirst(Topology.STOCK_REJECTED, orderId, rejected(order, missing, now),
                      First.IN_ITS_STREAM)
                  .compose(written -> standing(written, Topology.STOCK_REJECTED, orderId, lines));
        });
  }

  /** Settles the stock with the outcome that stands: this one, or one stored before it (a takeover's race). */
  private Future<Void> standing(Written written, EventType<?> ours, String orderId, List<StockLines.Line> lines) {
    if (written != Written.PREEMPTED) {
      return settle(ours, orderId, lines);
    }
    return records.outcome(orderId).compose(stored -> stored == null
        ? Future.failedFuture(new IllegalStateException("an outcome of order " + orderId + " stands but cannot be read"))
        : settle(stored, orderId, lines));
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

  /** Releases the stock {@code orderId} reserved (its payment was declined or failed), once. */
  Future<Void> release(String orderId) {
    return records.find(Topology.STOCK_RELEASED, orderId).compose(released -> {
      if (released != null) {
        // Released before: only the stock's markers may be left to settle.
        released.getLinesList().forEach(line -> stock.settleReturn(line.getSku(), orderId));
        return Future.succeededFuture();
      }
      return records.find(Topology.STOCK_RESERVED, orderId).compose(reserved -> {
        if (reserved == null) {
          // Payments acts only after StockReserved; a reader that does not see it yet sees it on a retry.
          return Future.failedFuture(new IllegalStateException("order " + orderId + " has no StockReserved yet"));
        }
        List<StockLines.Line> lines =
            StockLines.of("StockReserved", orderId, reserved.getLinesList(), catalogue);
        return forEachLine(lines, line -> stock.release(line.sku(), orderId, line.quantity()))
            .compose(v -> announcer.publishFirst(Topology.STOCK_RELEASED, orderId,
                released(reserved, Instant.now()), First.OF_ITS_TYPE))
            .onSuccess(written -> lines.forEach(line -> stock.settleReturn(line.sku(), orderId)))
            .mapEmpty();
      });
    });
  }

  private static StockReserved reserved(OrderPlaced order, Instant at) {
    return StockReserved.newBuilder()
        .setEventId(EventIds.next())
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
        .setEventId(EventIds.next())
        .setOrderId(order.getOrderId())
        .setOccurredAt(EventTime.of(at))
        .addAllSkus(missing)
        .setPlacedAt(order.getOccurredAt())
        .build();
  }

  private StockReleased released(StockReserved reserved, Instant at) {
    return StockReleased.newBuilder()
        .setEventId(EventIds.next())
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
