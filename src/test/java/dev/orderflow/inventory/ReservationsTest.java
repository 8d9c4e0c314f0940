package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.orderflow.config.Catalogue;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.InMemoryStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The reservation protocol over in-memory stores: the stock, and the inventory stream with its write-once rule. */
@DisplayName("Reservations")
class ReservationsTest {

  private static final Catalogue CATALOGUE = ConfigLoader.loadNow(new JsonObject()).catalogue();

  private final Shelves stock = new Shelves();
  private final InventoryStream stream = new InventoryStream();
  private final Reservations reservations = new Reservations(stock, stream, stream, CATALOGUE);

  @BeforeEach
  void stockUp() {
    stock.levels.put("MUG-LOGO", Stock.of(10));
    stock.levels.put("POSTER-A2", Stock.of(2));
  }

  @Test
  @DisplayName("reserve every line, announce StockReserved, and settle the order's holds")
  void reserve() {
    assertThat(reserve(order("o-1", "MUG-LOGO", 3, "POSTER-A2", 1)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(1);
    StockReserved reserved = stream.only("o-1", Topology.STOCK_RESERVED);
    assertThat(reserved.getLinesList()).extracting(OrderLine::getSku).containsExactly("MUG-LOGO", "POSTER-A2");
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(7, 3, Map.of(), Map.of()));
    assertThat(stock.levels.get("POSTER-A2")).isEqualTo(new Stock(1, 1, Map.of(), Map.of()));
    assertThat(reserved.getHoldsMap()).as("the holds it stands for, made by this delivery")
        .containsOnly(Map.entry("MUG-LOGO", reserved.getEventId()), Map.entry("POSTER-A2", reserved.getEventId()));
    assertThat(reserved.getPlacedSequence()).as("where its OrderPlaced is stored, for the orders' decision")
        .isEqualTo(7);
  }

  @Test
  @DisplayName("reject an order with a line short, naming it, and give back the lines it took")
  void soldOut() {
    assertThat(reserve(order("o-1", "MUG-LOGO", 3, "POSTER-A2", 5)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(1);
    StockRejected rejected = stream.only("o-1", Topology.STOCK_REJECTED);
    assertThat(rejected.getSkusList()).containsExactly("POSTER-A2");
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(Stock.of(10));
    assertThat(stock.levels.get("POSTER-A2")).isEqualTo(Stock.of(2));
  }

  @Test
  @DisplayName("change nothing for a repeat of an order whose outcome is stored, reserved or rejected")
  void repeatAfterOutcome() {
    reserve(order("o-1", "MUG-LOGO", 3));
    reserve(order("o-2", "POSTER-A2", 5));
    Map<String, Stock> before = Map.copyOf(stock.levels);

    assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();
    assertThat(reserve(order("o-2", "POSTER-A2", 5)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(1);
    assertThat(stream.events("o-2")).hasSize(1);
    assertThat(stock.levels).isEqualTo(before);
  }

  @Test
  @DisplayName("finish a delivery that stored its outcome but crashed before settling the stock")
  void finishAfterCrash() {
    stock.levels.put("MUG-LOGO", Stock.of(10).reserve("o-1", 3).stock());
    stream.store(Topology.STOCK_RESERVED, "o-1", StockReserved.newBuilder().setOrderId("o-1").build());

    assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(1);
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(7, 3, Map.of(), Map.of()));
  }

  @Test
  @DisplayName("settle with the outcome stored first when another delivery's outcome preempts this one")
  void preempted() {
    // Another delivery of the order (a takeover) rejects it between this one's look-up and its write.
    stream.beforeNextPublish = () -> stream.store(Topology.STOCK_REJECTED, "o-1",
        StockRejected.newBuilder().setOrderId("o-1").addSkus("MUG-LOGO").build());

    assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).singleElement().isInstanceOf(StockRejected.class);
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(Stock.of(10)); // the rejection stands: units given back
  }

  @Test
  @DisplayName("a takeover that reserves after the first delivery's reservation was recorded and settled gives its "
      + "own hold back")
  void takeoverAfterSettle() {
    // This delivery (a takeover) looked and found no outcome; before its reservation applies, the first delivery of
    // the order, still alive, reserves, stores StockReserved and settles its hold.
    stock.beforeNextReserve = () -> assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    assertThat(stream.events("o-1")).singleElement().isInstanceOf(StockReserved.class);
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(7, 3, Map.of(), Map.of()));
  }

  @Test
  @DisplayName("a first delivery that finds the takeover's hold records it, and the takeover keeps it")
  void firstDeliveryRecordsTheTakeoversHold() {
    // This delivery (a takeover) made its hold; before it stores its outcome, the first delivery of the order wakes,
    // finds no outcome yet, takes the same hold as its own reservation, stores StockReserved and settles.
    stream.beforeNextPublish = () -> assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    assertThat(reserve(order("o-1", "MUG-LOGO", 3)).succeeded()).isTrue();

    StockReserved stored = stream.only("o-1", Topology.STOCK_RESERVED);
    assertThat(stream.events("o-1")).hasSize(1);
    assertThat(stored.getHoldsMap()).containsOnlyKeys("MUG-LOGO");
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(7, 3, Map.of(), Map.of()));
  }

  @Test
  @DisplayName("given up as poison, reject the order so that it is cancelled, holding nothing")
  void giveUp() {
    OrderPlaced forged = order("o-1", "MUG-LOGO", 3).toBuilder()
        .setOccurredAt(EventTime.of(java.time.Instant.ofEpochSecond(7))).build();

    assertThat(reservations.giveUp(forged, "invalid OrderPlaced o-1: occurred_at 7s is not a time").succeeded())
        .isTrue();

    StockRejected rejected = stream.only("o-1", Topology.STOCK_REJECTED);
    assertThat(rejected.getPlacedAt()).as("the time it was given up, not the forged one")
        .isEqualTo(rejected.getOccurredAt());
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(10, 0, Map.of(), Map.of()));
  }

  @Test
  @DisplayName("given up as poison after the order's outcome is stored, leave that outcome as it stands")
  void giveUpAfterOutcome() {
    reserve(order("o-1", "MUG-LOGO", 3));

    assertThat(reservations.giveUp(order("o-1", "MUG-LOGO", 3), "invalid").succeeded()).isTrue();

    assertThat(stream.events("o-1")).singleElement().isInstanceOf(StockReserved.class);
  }

  @Test
  @DisplayName("release a reserved order's stock once, announcing StockReleased with the catalogue's prices")
  void releaseOnce() {
    reserve(order("o-1", "MUG-LOGO", 3, "POSTER-A2", 1));
    stream.only("o-1", Topology.STOCK_RESERVED);

    assertThat(reservations.release("o-1").succeeded()).isTrue();
    assertThat(reservations.release("o-1").succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(2);
    StockReleased released = stream.only("o-1", Topology.STOCK_RELEASED);
    assertThat(released.getLinesList()).extracting(line -> line.getSku() + " x" + line.getQuantity() + " at "
        + line.getUnitPrice().getAmountMinor() + " " + line.getUnitPrice().getCurrency())
        .containsExactly("MUG-LOGO x3 at 1250 EUR", "POSTER-A2 x1 at 2500 EUR");
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(Stock.of(10));
    assertThat(stock.levels.get("POSTER-A2")).isEqualTo(Stock.of(2));
  }

  @Test
  @DisplayName("a takeover that releases after the first delivery's release was recorded and settled takes its own "
      + "back")
  void releaseTakeoverAfterSettle() {
    reserve(order("o-1", "MUG-LOGO", 3));
    reserve(order("o-2", "MUG-LOGO", 5));
    // This delivery (a takeover) found no StockReleased; before its release applies, the first delivery of the
    // decline, still alive, releases, stores StockReleased and settles.
    stock.beforeNextRelease = () -> assertThat(reservations.release("o-1").succeeded()).isTrue();

    assertThat(reservations.release("o-1").succeeded()).isTrue();

    assertThat(stream.events("o-1")).hasSize(2);
    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(new Stock(5, 5, Map.of(), Map.of()));
  }

  @Test
  @DisplayName("a release gives back, with the order's units, a hold that a takeover made after the reservation "
      + "was recorded and settled")
  void releaseMeetsALateHold() {
    reserve(order("o-1", "MUG-LOGO", 3));
    // A takeover of the order's OrderPlaced made a hold anew after the reservation was settled, and has not settled
    // it yet when the order's payment is declined.
    stock.levels.put("MUG-LOGO", stock.levels.get("MUG-LOGO").reserve("o-1", 3, "e-takeover").stock());

    assertThat(reservations.release("o-1").succeeded()).isTrue();

    assertThat(stock.levels.get("MUG-LOGO")).isEqualTo(Stock.of(10));
  }

  @Test
  @DisplayName("refuse, for a retry, to release an order whose StockReserved cannot be seen yet")
  void releaseBeforeReserved() {
    Future<Void> release = reservations.release("o-9");
    assertThat(release.failed()).isTrue();
    assertThat(release.cause()).hasMessageContaining("no StockReserved yet");
    assertThat(stream.events("o-9")).isEmpty();
  }

  /** An order as the API places it: the catalogue's prices and their total. */
  /** Reserves as a delivery of {@code order} stored at stream sequence 7 would. */
  private Future<Void> reserve(OrderPlaced order) {
    return reservations.reserve(order, 7);
  }

  private static OrderPlaced order(String orderId, Object... skuAndQuantity) {
    OrderPlaced.Builder order = OrderPlaced.newBuilder().setEventId("e-" + orderId).setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now())).setCustomerId("c-1");
    long total = 0;
    for (int i = 0; i < skuAndQuantity.length; i += 2) {
      String sku = (String) skuAndQuantity[i];
      int quantity = (Integer) skuAndQuantity[i + 1];
      long price = CATALOGUE.item(sku).map(Catalogue.Item::unitPriceMinor).orElse(100L);
      order.addLines(OrderLine.newBuilder().setSku(sku).setQuantity(quantity)
          .setUnitPrice(Money.newBuilder().setAmountMinor(price).setCurrency(CATALOGUE.currency())));
      total += quantity * price;
    }
    return order.setTotal(Money.newBuilder().setAmountMinor(total).setCurrency(CATALOGUE.currency())).build();
  }

  /** The stock in memory, changed at once by the same rules the keeper applies. */
  private static final class Shelves implements Reservations.StockChanges {
    final Map<String, Stock> levels = new HashMap<>();

    /** Runs once, just before the next reservation applies: lets a test run another delivery first. */
    Runnable beforeNextReserve = () -> {};

    @Override
    public Future<String> reserve(String sku, String orderId, long quantity, String holder) {
      Runnable hook = beforeNextReserve;
      beforeNextReserve = () -> {};
      hook.run();
      Stock.Change change = levels.get(sku).reserve(orderId, quantity, holder);
      levels.put(sku, change.stock());
      return Future.succeededFuture(change.holder());
    }


    @Override
    public Future<Void> unreserve(String sku, String orderId) {
      levels.put(sku, levels.get(sku).unreserve(orderId));
      return Future.succeededFuture();
    }

    /** Runs once, just before the next release applies: lets a test run another delivery first. */
    Runnable beforeNextRelease = () -> {};

    @Override
    public Future<String> release(String sku, String orderId, long quantity, String returner, String heldBy) {
      Runnable hook = beforeNextRelease;
      beforeNextRelease = () -> {};
      hook.run();
      Stock before = levels.get(sku);
      Stock after = before.release(orderId, quantity, returner, heldBy);
      levels.put(sku, after);
      return Future.succeededFuture(after.returners().getOrDefault(orderId, ""));
    }

    @Override
    public Future<Void> settleHold(String sku, String orderId, String holder) {
      levels.put(sku, holder == null
          ? levels.get(sku).settleHold(orderId) : levels.get(sku).settleHold(orderId, holder));
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> settleReturn(String sku, String orderId, String returner) {
      levels.put(sku, returner == null
          ? levels.get(sku).settleReturn(orderId)
          : levels.get(sku).settleReturn(orderId, returner));
      return Future.succeededFuture();
    }
  }

  /** The inventory stream in memory, read as the protocol reads it. */
  private static final class InventoryStream extends InMemoryStream implements Reservations.Records {
    @Override
    public Future<Message> outcome(String orderId) {
      List<Message> events = events(orderId);
      return Future.succeededFuture(events.isEmpty() ? null : events.get(events.size() - 1));
    }

    @Override
    public <T extends Message> Future<T> find(EventType<T> type, String orderId) {
      return super.find(type, orderId);
    }
  }
}
