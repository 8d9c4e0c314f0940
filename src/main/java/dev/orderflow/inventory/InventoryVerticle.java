package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.config.ConsumerConfig;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory context's event side: seeds the catalogue's stock on first start, reserves stock for each
 * {@code OrderPlaced}, and releases it when the payment is declined or fails.
 *
 * <p>Reserving: each line is reserved under a write id of its own; when a line falls short, the reservation is
 * rejected and the record of the outcome written (atomically, so concurrent deliveries agree on one outcome);
 * then any line that a rejected order did take is given back. Every step can be repeated by a redelivery
 * without effect beyond the first.
 *
 * <p>Releasing: the record goes RESERVED → RELEASING → RELEASED around the stock writes. A redelivery that finds
 * RELEASING repeats the writes, which the stream drops as duplicates within its duplicate window; past that
 * window it can no longer tell which were made, and leaves the stock as it is rather than risk giving units back
 * twice (which could oversell), logging the order for an operator.
 */
public final class InventoryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InventoryVerticle.class);

  private final NatsBridge bridge;
  private final Catalogue catalogue;
  private final ConsumerConfig consumers;
  private final Duration duplicateWindow;
  private StockKeeper stock;
  private KeyValueStore reservations;
  private EventPublisher publisher;
  private List<EventSubscription> subscriptions = List.of();

  public InventoryVerticle(NatsBridge bridge, Catalogue catalogue, ConsumerConfig consumers, Duration duplicateWindow) {
    this.bridge = bridge;
    this.catalogue = catalogue;
    this.consumers = consumers;
    this.duplicateWindow = duplicateWindow;
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
    return Future.all(subscriptions.stream().map(s -> s.stop(consumers.ackWait())).toList());
  }

  private Future<?> reserve(Delivery<OrderPlaced> delivery) {
    OrderPlaced order = delivery.event();
    if (order.getLinesCount() == 0) {
      throw new PoisonMessage("OrderPlaced " + order.getOrderId() + " has no lines");
    }
    String orderId = order.getOrderId();
    return readReservation(orderId)
        .compose(known -> known != null ? Future.succeededFuture(known.reservation())
            : decide(orderId, Reservation.plan(order.getLinesList())).compose(this::record))
        .compose(this::giveBackIfRejected)
        .compose(outcome -> announce(order, outcome));
  }

  /** Reserves line by line, stopping at the first that falls short. */
  private Future<Reservation> decide(String orderId, List<Reservation.Line> plan) {
    return firstShortLine(orderId, plan, 0).map(missing -> missing == null
        ? Reservation.reserved(orderId, plan, Instant.now())
        : Reservation.rejected(orderId, plan, List.of(missing), Instant.now()));
  }

  /** Reserves the lines from {@code index} on; the SKU of the first that falls short, or null if none does. */
  private Future<String> firstShortLine(String orderId, List<Reservation.Line> plan, int index) {
    if (index == plan.size()) {
      return Future.succeededFuture(null);
    }
    Reservation.Line line = plan.get(index);
    return stock.reserve(line.sku(), line.quantity(), writeId(orderId, "reserve", line.sku()))
        .compose(reserved -> reserved ? firstShortLine(orderId, plan, index + 1) : Future.succeededFuture(line.sku()));
  }

  /** Records the outcome; if another delivery recorded one first, that one stands. */
  private Future<Reservation> record(Reservation outcome) {
    return reservations.create(outcome.orderId(), outcome.encode())
        .map(outcome)
        .recover(e -> e instanceof WriteConflict
            ? readReservation(outcome.orderId()).map(theirs -> {
              if (theirs == null) {
                throw new IllegalStateException("reservation of " + outcome.orderId() + " exists but cannot be read");
              }
              return theirs.reservation();
            })
            : Future.failedFuture(e));
  }

  /** A rejected order gives back whatever line it did reserve before falling short (checked line by line). */
  private Future<Reservation> giveBackIfRejected(Reservation outcome) {
    if (outcome.status() != Reservation.Status.REJECTED) {
      return Future.succeededFuture(outcome);
    }
    return forEachLine(outcome, line -> stock.changed(line.sku(), writeId(outcome.orderId(), "reserve", line.sku()))
        .compose(taken -> taken
            ? stock.release(line.sku(), line.quantity(), writeId(outcome.orderId(), "unreserve", line.sku()))
            : Future.succeededFuture()));
  }

  private Future<?> release(String orderId) {
    return readReservation(orderId).compose(known -> {
      if (known == null) {
        // Payments acts only after StockReserved, which follows the record; a stale read resolves on retry.
        return Future.failedFuture(new IllegalStateException("no reservation for order " + orderId + " yet"));
      }
      Reservation reservation = known.reservation();
      return switch (reservation.status()) {
        case REJECTED -> Future.succeededFuture();
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
    Future<Reservation> stockBack;
    if (Duration.between(releasing.changedAt(), Instant.now()).compareTo(duplicateWindow) < 0) {
      stockBack = forEachLine(releasing, line ->
          stock.release(line.sku(), line.quantity(), writeId(releasing.orderId(), "release", line.sku())));
    } else {
      LOG.error("order {}: a release interrupted longer ago than the duplicate window ({}) cannot be finished "
          + "safely; its stock is left as it is for an operator to check: {}",
          releasing.orderId(), duplicateWindow, releasing.lines());
      stockBack = Future.succeededFuture(releasing);
    }
    Reservation released = releasing.released(Instant.now());
    return stockBack
        .compose(v -> replace(released, revision))
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
      case RELEASING, RELEASED -> Future.succeededFuture();
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

  private record Known(Reservation reservation, long revision) {}

  private Future<Known> readReservation(String orderId) {
    return reservations.get(orderId).map(entry -> entry == null ? null
        : new Known(Reservation.decode(entry.value()), entry.revision()));
  }

  private Future<Long> replace(Reservation next, long revision) {
    return reservations.update(next.orderId(), next.encode(), revision, null).map(KeyValueStore.Write::revision);
  }

  /** Runs {@code step} for each line in turn; completes with {@code reservation} when all are done. */
  private static Future<Reservation> forEachLine(Reservation reservation, Function<Reservation.Line, Future<?>> step) {
    Future<?> done = Future.succeededFuture();
    for (Reservation.Line line : reservation.lines()) {
      done = done.compose(v -> step.apply(line));
    }
    return done.map(reservation);
  }

  private static String writeId(String orderId, String step, String sku) {
    return orderId + ":" + step + ":" + sku;
  }
}
