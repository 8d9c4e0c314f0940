package dev.orderflow.inventory;

import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.WriteConflict;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes stock with compare-and-set writes on each SKU's key-value revision, so instances never oversell.
 *
 * <p>Within one instance the changes to a SKU are queued one after the other, and the stock last written is
 * remembered with its revision, so a change costs one write rather than a read and a write, and hot SKUs do not
 * make this instance race itself. A write lost to another instance re-reads and tries again.
 *
 * <p>Every change carries a write id (order, step, SKU). Repeating it after a crash or a redelivery is recognised
 * by the stream's duplicate window and changes nothing. Confined to the owning verticle's context.
 */
final class StockKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(StockKeeper.class);
  private static final int MAX_CONFLICTS = 50;

  /** A stock level as read or last written, with its revision. */
  private record Read(Stock stock, long revision) {}

  private static final class Slot {
    Future<?> tail = Future.succeededFuture();
    Read known;
  }

  private final KeyValueStore store;
  private final Map<String, Slot> slots = new HashMap<>();

  StockKeeper(KeyValueStore store) {
    this.store = store;
  }

  /** Sets a SKU's stock if it has none yet (first start); never overwrites. */
  Future<Void> seed(String sku, long initialStock) {
    return store.create(sku, new Stock(initialStock, 0).encode()).<Void>mapEmpty()
        .recover(e -> e instanceof WriteConflict ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /**
   * Reserves {@code quantity} of {@code sku} under {@code writeId}. True if reserved, now or by an earlier write
   * with the same id; false if there is not enough and no earlier write reserved it (or the SKU is unknown).
   */
  Future<Boolean> reserve(String sku, long quantity, String writeId) {
    return queued(sku, slot -> tryReserve(slot, sku, quantity, writeId, MAX_CONFLICTS));
  }

  /** Gives back {@code quantity} reserved units of {@code sku}, once per write id. */
  Future<Void> release(String sku, long quantity, String writeId) {
    return queued(sku, slot -> tryRelease(slot, sku, quantity, writeId, MAX_CONFLICTS));
  }

  /** Whether a change with {@code writeId} was made to {@code sku} (within the duplicate window). */
  Future<Boolean> changed(String sku, String writeId) {
    return queued(sku, slot -> store.written(sku, writeId));
  }

  private Future<Boolean> tryReserve(Slot slot, String sku, long quantity, String writeId, int conflictsLeft) {
    return current(slot, sku).compose(read -> {
      if (read == null) {
        return Future.succeededFuture(false);
      }
      Optional<Stock> next = read.stock().reserve(quantity);
      if (next.isEmpty()) {
        // Not enough: unless an earlier delivery of this order already took these very units.
        return store.written(sku, writeId);
      }
      return write(slot, sku, read, next.get(), writeId)
          .map(true)
          .recover(e -> retry(e, conflictsLeft, () -> tryReserve(slot, sku, quantity, writeId, conflictsLeft - 1)));
    });
  }

  private Future<Void> tryRelease(Slot slot, String sku, long quantity, String writeId, int conflictsLeft) {
    return current(slot, sku).compose(read -> {
      if (read == null || read.stock().reserved() < quantity) {
        // Fewer units held than this release gives back: fine if it already happened, a bug otherwise.
        return store.written(sku, writeId).<Void>map(done -> {
          if (!done) {
            LOG.error("release {} skipped: {} does not hold {} reserved units", writeId, sku, quantity);
          }
          return null;
        });
      }
      return write(slot, sku, read, read.stock().release(quantity), writeId)
          .<Void>mapEmpty()
          .recover(e -> retry(e, conflictsLeft, () -> tryRelease(slot, sku, quantity, writeId, conflictsLeft - 1)));
    });
  }

  /** Writes {@code next} over {@code read}; answers whether the stream found it a duplicate (already done). */
  private Future<Boolean> write(Slot slot, String sku, Read read, Stock next, String writeId) {
    return store.update(sku, next.encode(), read.revision(), writeId)
        .map(write -> {
          // After a duplicate the revision answered is the earlier write's, not the current one.
          slot.known = write.duplicate() ? null : new Read(next, write.revision());
          return write.duplicate();
        })
        .onFailure(e -> slot.known = null);
  }

  private Future<Read> current(Slot slot, String sku) {
    if (slot.known != null) {
      return Future.succeededFuture(slot.known);
    }
    return store.get(sku).map(entry -> entry == null ? null : new Read(Stock.decode(entry.value()), entry.revision()));
  }

  private static <T> Future<T> retry(Throwable failure, int conflictsLeft, Supplier<Future<T>> again) {
    return failure instanceof WriteConflict && conflictsLeft > 0 ? again.get() : Future.failedFuture(failure);
  }

  /** Runs {@code change} after every change queued before it for the same SKU, whatever their outcome. */
  private <T> Future<T> queued(String sku, java.util.function.Function<Slot, Future<T>> change) {
    Slot slot = slots.computeIfAbsent(sku, s -> new Slot());
    Future<T> result = slot.tail.transform(previous -> change.apply(slot));
    slot.tail = result;
    return result;
  }
}
