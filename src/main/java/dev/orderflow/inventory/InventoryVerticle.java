package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.EventTime;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.WriteConflict;
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
 * <p>Reserving: the delivery that creates the order's PENDING reservation record (an atomic create) owns the
 * order; any other finds the record and waits for its outcome, or takes over if it is a redelivery (the owner
 * died: live owners keep their message with in-progress acknowledgements). The owner reserves every line at once
 * (each SKU batching its changes) and records the outcome with a compare-and-set on the claim; then the stock is
 * brought in line with the recorded outcome (holds settled, or a rejected order's lines given back), and the
 * outcome announced.
 *
 * <p>Releasing: the record goes RESERVED → RELEASING → RELEASED around the stock changes. Each step, and each stock
 * change, can be repeated after a crash without effect beyond the first (see {@link Stock}).
 */
public final class InventoryVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final Catalogue catalogue;
  private StockKeeper stock;
  private KeyValueStore reservations;
  private EventPublisher publisher;
  private List<EventSubscription> subscriptions = List.of();

  public InventoryVerticle(NatsBridge bridge, Catalogue catalogue) {
    this.bridge = bridge;
    this.catalogue = catalogue;
  }

  @Override
  public Future<?> start() {
    stock = new StockKeeper(bridge.keyValue(Topology.STOCK));
    reservations = bridge.keyValue(Topology.RESERVATIONS);
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
    if (order.getLinesCount() == 0) {
      throw new PoisonMessage("OrderPlaced " + order.getOrderId() + " has no lines");
    }
    List<Reservation.Line> plan = Reservation.plan(order.getLinesList());
    return claim(order.getOrderId(), plan, delivery.attempt() > 1)
        .compose(claim -> claim.reservation().decided() ? Future.succeededFuture(claim.reservation())
            : decide(claim.reservation(), claim.revision()))
        .compose(this::settle)
        .compose(outcome -> announce(order, outcome));
  }

  /**
   * The order's reservation record: a new PENDING one this delivery owns, a PENDING one it takes over (a
   * redelivery), or an outcome already decided.
   */
  private Future<Known> claim(String orderId, List<Reservation.Line> plan, boolean redelivered) {
    Reservation pending = Reservation.pending(orderId, plan, Instant.now());
    return reservations.createOrGet(orderId, pending.encode()).compose(claim -> {
      Known known = new Known(Reservation.decode(claim.entry().value()), claim.entry().revision());
      if (!claim.created() && !known.reservation().decided() && !redelivered) {
        // Another delivery owns the order right now; come back for its outcome.
        return Future.failedFuture(new IllegalStateException("order " + orderId + " is being reserved"));
      }
      return Future.succeededFuture(known);
    });
  }

  /**
   * Reserves every line and records the outcome over the claim: RESERVED, or REJECTED if a line fell short. The
   * record comes first: if another delivery recorded an outcome first, that one stands, and nothing taken here is
   * given back unless it says REJECTED.
   */
  private Future<Reservation> decide(Reservation claimed, long claimRevision) {
    String orderId = claimed.orderId();
    List<Future<Boolean>> lines = claimed.lines().stream()
        .map(line -> stock.reserve(line.sku(), orderId, line.quantity()))
        .toList();
    return Future.all(lines)
        .map(all -> {
          List<String> missing = new ArrayList<>();
          for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).result()) {
              missing.add(claimed.lines().get(i).sku());
            }
          }
          return missing.isEmpty()
              ? Reservation.reserved(orderId, claimed.lines(), Instant.now())
              : Reservation.rejected(orderId, claimed.lines(), missing, Instant.now());
        })
        .compose(outcome -> replace(outcome, claimRevision)
            .map(outcome)
            .recover(e -> e instanceof WriteConflict ? decidedElsewhere(orderId) : Future.failedFuture(e)));
  }

  /**
   * Brings the stock in line with a recorded outcome: a reserved order's holds are settled; a rejected order gives
   * back whatever line it took. Idempotent, so it runs whenever an outcome is seen, which also finishes the work
   * of a delivery that crashed after recording it.
   */
  private Future<Reservation> settle(Reservation outcome) {
    String orderId = outcome.orderId();
    return switch (outcome.status()) {
      case RESERVED -> {
        outcome.lines().forEach(line -> stock.settleHold(line.sku(), orderId));
        yield Future.succeededFuture(outcome);
      }
      case REJECTED -> forEachLine(outcome, line -> stock.unreserve(line.sku(), orderId)).map(outcome);
      case PENDING, RELEASING, RELEASED -> Future.succeededFuture(outcome);
    };
  }

  /** Another delivery recorded the outcome first (a takeover race); that one stands. */
  private Future<Reservation> decidedElsewhere(String orderId) {
    return readReservation(orderId).map(known -> {
      if (known == null || !known.reservation().decided()) {
        throw new IllegalStateException("reservation of " + orderId + " changed but shows no outcome");
      }
      return known.reservation();
    });
  }

  private Future<?> release(String orderId) {
    return readReservation(orderId).compose(known -> {
      if (known == null || !known.reservation().decided()) {
        // Payments acts only after StockReserved, which follows the outcome; a stale read resolves on retry.
        return Future.failedFuture(new IllegalStateException("no reservation outcome for order " + orderId + " yet"));
      }
      Reservation reservation = known.reservation();
      return switch (reservation.status()) {
        case PENDING, REJECTED -> Future.succeededFuture();
        case RELEASED -> announceReleased(reservation);
        case RESERVED -> {
          Reservation releasing = reservation.releasing(Instant.now());
          yield replace(releasing, known.revision()).compose(revision -> finishRelease(releasing, revision));
        }
        case RELEASING -> finishRelease(reservation, known.revision());
      };
    });
  }

  private Future<Void> finishRelease(Reservation releasing, long revision) {
    String orderId = releasing.orderId();
    Reservation released = releasing.released(Instant.now());
    return forEachLine(releasing, line -> stock.release(line.sku(), orderId, line.quantity()))
        .compose(v -> replace(released, revision))
        .onSuccess(v -> released.lines().forEach(line -> stock.settleReturn(line.sku(), orderId)))
        .compose(v -> announceReleased(released));
  }

  private Future<Void> announce(OrderPlaced order, Reservation outcome) {
    return switch (outcome.status()) {
      case RESERVED -> publisher.publish(Topology.STOCK_RESERVED, order.getOrderId(), StockReserved.newBuilder()
          .setEventId(UUID.randomUUID().toString())
          .setOrderId(order.getOrderId())
          .setOccurredAt(EventTime.of(outcome.changedAt()))
          .setCustomerId(order.getCustomerId())
          .addAllLines(order.getLinesList())
          .setTotal(order.getTotal())
          .build());
      case REJECTED -> publisher.publish(Topology.STOCK_REJECTED, order.getOrderId(), StockRejected.newBuilder()
          .setEventId(UUID.randomUUID().toString())
          .setOrderId(order.getOrderId())
          .setOccurredAt(EventTime.of(outcome.changedAt()))
          .addAllSkus(outcome.missing())
          .build());
      // Released later: its StockReserved went out long ago, and a repeat of it is dropped as a duplicate.
      case PENDING, RELEASING, RELEASED -> Future.succeededFuture();
    };
  }

  private Future<Void> announceReleased(Reservation released) {
    return publisher.publish(Topology.STOCK_RELEASED, released.orderId(), StockReleased.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOrderId(released.orderId())
        .setOccurredAt(EventTime.of(released.changedAt()))
        .addAllLines(released.lines().stream().map(line -> OrderLine.newBuilder()
            .setSku(line.sku())
            .setQuantity((int) line.quantity())
            .setUnitPrice(Money.newBuilder().setCurrency(catalogue.currency())
                .setAmountMinor(catalogue.item(line.sku()).map(Catalogue.Item::unitPriceMinor).orElse(0L)))
            .build()).toList())
        .build());
  }

  /** A reservation record as read, with the revision a compare-and-set must name. */
  private record Known(Reservation reservation, long revision) {}

  private Future<Known> readReservation(String orderId) {
    return reservations.get(orderId).map(entry -> entry == null ? null
        : new Known(Reservation.decode(entry.value()), entry.revision()));
  }

  private Future<Long> replace(Reservation next, long revision) {
    return reservations.update(next.orderId(), next.encode(), revision);
  }

  /** Runs {@code step} for every line at once; completes when all are done. */
  private static Future<Void> forEachLine(Reservation reservation, Function<Reservation.Line, Future<?>> step) {
    return Future.all(reservation.lines().stream().map(step).toList()).mapEmpty();
  }
}
