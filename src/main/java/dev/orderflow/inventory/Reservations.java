package dev.orderflow.inventory;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.orderflow.config.Catalogue;
import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * it. Two deliveries of one order can overlap (a takeover while the first one still runs): each marks the holds it
 * makes, and {@code StockReserved} names the hold it stands for on each SKU, so settling against the stored outcome
 * gives back a hold made after the recorded one was settled, instead of holding the units twice.
 *
 * <p>Releasing: the lines come from the order's {@code StockReserved}; the stock remembers each applied release until
 * {@code StockReleased} is stored (once per order), so a repeated release changes nothing; and as with holds, each
 * release names who applied it and {@code StockReleased} the one it stands for, so a release applied a second time
 * by an overlapping delivery, after the first was settled, is taken back.
 */
final class Reservations {

  /** Per-SKU stock changes, each idempotent per order ({@link StockKeeper}). */
  interface StockChanges {
    /** Answers who made the order's hold (a new one: {@code holder}), or {@code null} if the units are not there. */
    Future<String> reserve(String sku, String orderId, long quantity, String holder);

    Future<Void> unreserve(String sku, String orderId);

    /**
     * Answers who applied the order's release (a new one: {@code returner}); a hold of the order not made by
     * {@code heldBy} (the one its record stands for; {@code null}: whichever) is given back with it.
     */
    Future<String> release(String sku, String orderId, long quantity, String returner, String heldBy);

    /**
     * Settles the order's hold against its record, which stands for the hold {@code holder} made: forgets that
     * one, gives back one made by anyone else ({@code null}: forgets whichever).
     */
    Future<Void> settleHold(String sku, String orderId, String holder);

    /**
     * Settles the order's applied release against its record, which stands for the release {@code returner}
     * applied: forgets that one, takes back one applied by anyone else ({@code null}: forgets whichever).
     */
    Future<Void> settleReturn(String sku, String orderId, String returner);
  }

  /** What the inventory stream holds for an order ({@link EventLog}); {@code null} where nothing is stored. */
  interface Records {
    /** The order's last inventory event: its outcome, or the {@code StockReleased} after it. */
    Future<Message> outcome(String orderId);

    /** The order's event of {@code type}. */
    <T extends Message> Future<T> find(EventType<T> type, String orderId);

    static Records of(EventLog log) {
      return new Records() {
        @Override
        public Future<Message> outcome(String orderId) {
          return log.last(Topology.STOCK_RESERVED, orderId).map(stored -> stored == null ? null : stored.event());
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

  /**
   * Reserves {@code order}'s stock, or finishes what an earlier delivery of it began. {@code placedSequence}, the
   * event's place in its stream (0 if unknown), travels on in {@code StockReserved}.
   */
  Future<Void> reserve(OrderPlaced order, long placedSequence) {
    List<StockLines.Line> lines = StockLines.of("OrderPlaced", order.getOrderId(), order.getLinesList(), catalogue);
    // Looked up on every delivery, not only redeliveries: a consumer made anew (or any replay) delivers old orders
    // as if for the first time, and the stock's per-order markers are gone once an outcome is stored.
    return records.outcome(order.getOrderId()).compose(stored -> stored == null
        ? decide(order, placedSequence, lines)
        : settle(stored, order.getOrderId(), lines));
  }

  /**
   * Reserves every line, then stores and announces the outcome, and settles the stock with the one that stands. The
   * holds this delivery makes are marked with the id of the {@code StockReserved} it would store, and that event
   * names the hold it stands for on each SKU (its own, or one an earlier delivery made).
   */
  private Future<Void> decide(OrderPlaced order, long placedSequence, List<StockLines.Line> lines) {
    String orderId = order.getOrderId();
    String eventId = EventIds.next();
    List<Future<String>> held = lines.stream()
        .map(line -> stock.reserve(line.sku(), orderId, line.quantity(), eventId))
        .toList();
    return Future.all(held)
        .compose(all -> {
          List<String> missing = new ArrayList<>();
          Map<String, String> holders = new LinkedHashMap<>();
          for (int i = 0; i < held.size(); i++) {
            String holder = held.get(i).result();
            if (holder == null) {
              missing.add(lines.get(i).sku());
            } else {
              holders.put(lines.get(i).sku(), holder);
            }
          }
          Instant now = Instant.now();
          Message outcome = missing.isEmpty()
              ? reserved(order, placedSequence, eventId, holders, now)
              : rejected(order, missing, now);
          return announce(orderId, outcome).compose(written -> {
            if (written != Written.STORED) {
              return standing(orderId, lines);
            }
            if (outcome instanceof StockRejected) {
              // The taken lines go back before the message is settled.
              return settle(outcome, orderId, lines);
            }
            // This delivery's own reservation: every hold is the one it names, so settling only forgets markers,
            // and rides on the SKUs' next writes without being waited for.
            settle(outcome, orderId, lines);
            return Future.succeededFuture();
          });
        });
  }

  private Future<Written> announce(String orderId, Message outcome) {
    return outcome instanceof StockReserved reserved
        ? announcer.publishFirst(Topology.STOCK_RESERVED, orderId, reserved, First.IN_ITS_STREAM)
        : announcer.publishFirst(Topology.STOCK_REJECTED, orderId, (StockRejected) outcome, First.IN_ITS_STREAM);
  }

  /**
   * Settles the stock with the outcome that stands when this delivery's was not stored: one stored before it, by a
   * delivery that overlapped this one (a takeover's race). A repeat of this very publish (DUPLICATE) is read back
   * too, so that the holds are settled against what is stored, whoever stored it.
   */
  private Future<Void> standing(String orderId, List<StockLines.Line> lines) {
    return records.outcome(orderId).compose(stored -> stored == null
        ? Future.failedFuture(
            new IllegalStateException("an outcome of order " + orderId + " stands but cannot be read"))
        : settle(stored, orderId, lines));
  }

  /**
   * Brings the stock in line with a stored outcome. A rejected order gives back whatever line it took. A reserved
   * order's holds are settled against the holds the outcome names ({@link StockChanges#settleHold}): the named one
   * is forgotten (the outcome now answers for it), any other is given back, being a hold that an overlapping
   * delivery made after the recorded one was settled. After a {@code StockReleased} (the release took the order's
   * hold) any hold left is such a late one, and given back. A {@code StockReserved} written before holds were named
   * stands for whichever hold there is. Idempotent, so it also finishes the work of a delivery that crashed after
   * storing the outcome, or after making a late hold.
   */
  private Future<Void> settle(Message outcome, String orderId, List<StockLines.Line> lines) {
    if (outcome instanceof StockRejected || outcome instanceof StockReleased) {
      return forEachLine(lines, line -> stock.unreserve(line.sku(), orderId));
    }
    Map<String, String> named = ((StockReserved) outcome).getHoldsMap();
    return forEachLine(lines, line -> stock.settleHold(line.sku(), orderId, named.get(line.sku())));
  }

  /**
   * An {@code OrderPlaced} given up as poison (forged lines, a SKU not in the catalogue, an impossible quantity):
   * it is rejected, so that the order is cancelled rather than left pending. Nothing was held for it (a poison
   * event never reaches the stock), and an outcome already stored for the order stands.
   */
  Future<?> giveUp(OrderPlaced order, String reason) {
    Instant now = Instant.now();
    // Its time may be what made it poison; the rejection then carries the time it was given up.
    Timestamp placedAt = EventTime.plausible(order.getOccurredAt()) ? order.getOccurredAt() : EventTime.of(now);
    return announcer.publishFirst(Topology.STOCK_REJECTED, order.getOrderId(), StockRejected.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(order.getOrderId())
        .setOccurredAt(EventTime.of(now))
        .setPlacedAt(placedAt)
        .build(), First.IN_ITS_STREAM);
  }

  /** {@link #release}, for an order that was placed (a sound {@code OrderPlaced}); nothing for any other. */
  Future<?> releasePlaced(String orderId) {
    return records.find(Topology.ORDER_PLACED, orderId).compose(placed -> placed == null
        || !Topology.ORDER_PLACED.sound(placed) ? Future.succeededFuture() : release(orderId));
  }

  /**
   * Releases the stock {@code orderId} reserved (its payment was declined or failed), once. Each release applied
   * is marked with the id of the {@code StockReleased} this delivery would store, and that event names the release
   * it stands for on each SKU, so that a delivery overlapping the recording one, which applied the release a second
   * time after the first was settled, takes its own back ({@link #settleReleases}).
   */
  Future<Void> release(String orderId) {
    return records.find(Topology.STOCK_RELEASED, orderId).compose(released -> {
      if (released != null) {
        // Released before: only the stock's markers may be left to settle.
        return settleReleases(released, orderId);
      }
      return records.find(Topology.STOCK_RESERVED, orderId).compose(reserved -> {
        if (reserved == null) {
          // Payments acts only after StockReserved; a reader that does not see it yet sees it on a retry.
          return Future.failedFuture(new IllegalStateException("order " + orderId + " has no StockReserved yet"));
        }
        List<StockLines.Line> lines =
            StockLines.of("StockReserved", orderId, reserved.getLinesList(), catalogue);
        String eventId = EventIds.next();
        Map<String, String> held = reserved.getHoldsMap();
        List<Future<String>> applied = lines.stream()
            .map(line -> stock.release(line.sku(), orderId, line.quantity(), eventId,
                held.isEmpty() ? null : held.getOrDefault(line.sku(), "")))
            .toList();
        return Future.all(applied).compose(all -> {
          Map<String, String> returners = new LinkedHashMap<>();
          for (int i = 0; i < lines.size(); i++) {
            returners.put(lines.get(i).sku(), applied.get(i).result());
          }
          StockReleased event = released(reserved, eventId, returners, Instant.now());
          return announcer.publishFirst(Topology.STOCK_RELEASED, orderId, event, First.OF_ITS_TYPE)
              .compose(written -> {
                if (written != Written.STORED) {
                  return records.find(Topology.STOCK_RELEASED, orderId).compose(stored -> stored == null
                      ? Future.failedFuture(new IllegalStateException(
                          "a StockReleased of order " + orderId + " stands but cannot be read"))
                      : settleReleases(stored, orderId));
                }
                // This delivery's own record: settling only forgets markers, riding on the next writes.
                settleReleases(event, orderId);
                return Future.succeededFuture();
              });
        });
      });
    });
  }

  /**
   * Settles the order's applied releases against its {@code StockReleased}: the release it names is forgotten, any
   * other taken back. One written before releases were named stands for whichever release there is.
   */
  private Future<Void> settleReleases(StockReleased released, String orderId) {
    Map<String, String> named = released.getReturnsMap();
    return Future.all(released.getLinesList().stream()
        .map(line -> stock.settleReturn(line.getSku(), orderId,
            named.isEmpty() ? null : named.getOrDefault(line.getSku(), "")))
        .toList()).mapEmpty();
  }

  private static StockReserved reserved(OrderPlaced order, long placedSequence, String eventId,
      Map<String, String> holders, Instant at) {
    return StockReserved.newBuilder()
        .setEventId(eventId)
        .setOrderId(order.getOrderId())
        .setOccurredAt(EventTime.of(at))
        .setCustomerId(order.getCustomerId())
        .addAllLines(order.getLinesList())
        .setTotal(order.getTotal())
        .setPlacedAt(order.getOccurredAt())
        .putAllHolds(holders)
        .setPlacedSequence(placedSequence)
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

  private StockReleased released(StockReserved reserved, String eventId, Map<String, String> returners, Instant at) {
    return StockReleased.newBuilder()
        .setEventId(eventId)
        .putAllReturns(returners)
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
