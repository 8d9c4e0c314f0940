package dev.orderflow.inventory;

import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.WriteConflict;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes stock with compare-and-set writes on each SKU's key-value revision, so any number of instances never
 * oversell, and batches them so that hot SKUs are not limited to one change per round trip.
 *
 * <p>Per SKU, at most one write is in flight from this instance. Changes asked for meanwhile wait and then go
 * out together: the next write applies all of them, in order, to one working copy ({@link StockDraft}) of the
 * stock last written (whose revision is remembered, so no read is needed), and answers each. A write lost to
 * another instance re-reads and applies the same batch again. Every change is idempotent by itself (see
 * {@link Stock}), so a batch that failed in an unknown state, a redelivery or a second instance can repeat it
 * safely.
 *
 * <p>Confined to the owning verticle's event loop.
 */
final class StockKeeper implements Reservations.StockChanges {

  private static final Logger LOG = LoggerFactory.getLogger(StockKeeper.class);
  private static final int MAX_CONFLICTS = 100;
  /** A settling step's answer when it undid a change applied twice (other steps answer a holder, or null). */
  private static final String SECOND = "second";

  /** A stock level as read or last written, with its revision. */
  private record Read(Stock stock, long revision) {}

  /** One change, applied to the batch's working copy; answers who made the order's hold ({@code null}: none). */
  @FunctionalInterface
  private interface Step {
    String applyTo(StockDraft draft);
  }

  /** A change waiting for its SKU's next write, and who waits for its answer. */
  private record Pending(Step step, Promise<String> answer) {}

  private static final class Sku {
    final String name;
    Read known;
    boolean writing;
    List<Pending> waiting = new ArrayList<>();

    Sku(String name) {
      this.name = name;
    }
  }

  private final KeyValueStore store;
  private final Map<String, Sku> skus = new HashMap<>();

  StockKeeper(KeyValueStore store) {
    this.store = store;
  }

  /** Sets a SKU's stock if it has none yet (first start); never overwrites. */
  Future<Void> seed(String sku, long initialStock) {
    return store.create(sku, Stock.of(initialStock).encode()).<Void>mapEmpty()
        .recover(e -> e instanceof WriteConflict ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /**
   * Reserves {@code quantity} for {@code orderId}, a new hold marked as made by {@code holder}; answers who made the
   * order's hold (now or from before), or {@code null} if the units are not there.
   */
  @Override
  public Future<String> reserve(String sku, String orderId, long quantity, String holder) {
    return enqueue(sku, draft -> draft.reserve(orderId, quantity, holder));
  }


  /** Gives back whatever {@code orderId} holds of {@code sku} and has not settled. */
  @Override
  public Future<Void> unreserve(String sku, String orderId) {
    return enqueue(sku, quietly(draft -> draft.unreserve(orderId))).mapEmpty();
  }

  /**
   * Releases {@code quantity} reserved by {@code orderId}, once, a new release marked as applied by {@code returner}
   * ({@link Stock#release(String, long, String, String)}); answers who applied the order's release (now or before).
   */
  @Override
  public Future<String> release(String sku, String orderId, long quantity, String returner, String heldBy) {
    return enqueue(sku, draft -> draft.release(orderId, quantity, returner, heldBy));
  }

  /**
   * Settles {@code orderId}'s hold of {@code sku} against its reservation record, which stands for the hold that
   * {@code holder} made ({@link Stock#settleHold(String, String)}; {@code null}: a record that names none, whose hold
   * is forgotten whoever made it). Rides on the SKU's next write.
   */
  @Override
  public Future<Void> settleHold(String sku, String orderId, String holder) {
    return holder == null
        ? enqueue(sku, quietly(draft -> draft.settleHold(orderId))).mapEmpty()
        : settle(sku, orderId, draft -> draft.settleHold(orderId, holder),
            "{}: gave back a second hold of order {}, made by a delivery that overlapped the one that recorded "
                + "its reservation");
  }

  /**
   * Settles {@code orderId}'s applied release of {@code sku} against its {@code StockReleased}, which stands for the
   * release {@code returner} applied ({@link Stock#settleReturn(String, String)}; {@code null}: a record that names
   * none, whose release marker is forgotten whoever applied it).
   */
  @Override
  public Future<Void> settleReturn(String sku, String orderId, String returner) {
    return returner == null
        ? enqueue(sku, quietly(draft -> draft.settleReturn(orderId))).mapEmpty()
        : settle(sku, orderId, draft -> draft.settleReturn(orderId, returner),
            "{}: took back a second release of order {}, applied by a delivery that overlapped the one that "
                + "recorded it");
  }

  /** A settling change; {@code warning} (SKU, order) is logged when it undid a change applied twice. */
  private Future<Void> settle(String sku, String orderId, Predicate<StockDraft> undidASecond, String warning) {
    return enqueue(sku, draft -> undidASecond.test(draft) ? SECOND : null).map(answer -> {
      if (answer != null) {
        LOG.warn(warning, sku, orderId);
      }
      return null;
    });
  }

  /** A change whose answer only says that it was applied (or why not), never that units are held. */
  private static Step quietly(Consumer<StockDraft> change) {
    return draft -> {
      change.accept(draft);
      return null;
    };
  }

  private Future<String> enqueue(String name, Step step) {
    Sku sku = skus.computeIfAbsent(name, Sku::new);
    Promise<String> answer = Promise.promise();
    sku.waiting.add(new Pending(step, answer));
    if (!sku.writing) {
      writeNext(sku);
    }
    return answer.future();
  }

  /** Writes everything waiting for {@code sku} in one write, then the next batch, until none waits. */
  private void writeNext(Sku sku) {
    if (sku.waiting.isEmpty()) {
      sku.writing = false;
      return;
    }
    sku.writing = true;
    List<Pending> batch = sku.waiting;
    sku.waiting = new ArrayList<>();
    write(sku, batch, MAX_CONFLICTS);
  }

  private void write(Sku sku, List<Pending> batch, int conflictsLeft) {
    Future<Read> current;
    try {
      current = current(sku);
    } catch (RuntimeException e) {
      finish(sku, batch, null, e); // never leave a batch, and the SKU's queue behind it, unanswered
      return;
    }
    current.onComplete(read -> {
      if (read.failed()) {
        finish(sku, batch, null, read.cause());
        return;
      }
      Outcomes outcomes = new Outcomes(batch.size());
      if (read.result() == null) {
        // An unknown SKU has no stock: nothing can be reserved, nothing changes.
        finish(sku, batch, outcomes, null);
        return;
      }
      // One working copy for the whole batch, one immutable value and one encoding per write: O(k + n) for k
      // changes to a value that holds n orders, where a new value per change cost O(k * n).
      StockDraft draft = read.result().stock().draft();
      for (int i = 0; i < batch.size(); i++) {
        try {
          outcomes.held[i] = batch.get(i).step().applyTo(draft);
        } catch (RuntimeException refused) {
          outcomes.refused[i] = refused; // this change alone fails (having changed nothing); the rest goes ahead
        }
      }
      if (!draft.changed()) {
        finish(sku, batch, outcomes, null);
        return;
      }
      Stock written = draft.build();
      store.update(sku.name, written.encode(), read.result().revision()).onComplete(done -> {
        if (done.succeeded()) {
          sku.known = new Read(written, done.result());
          finish(sku, batch, outcomes, null);
        } else if (done.cause() instanceof WriteConflict && conflictsLeft > 0) {
          sku.known = null;
          write(sku, batch, conflictsLeft - 1);
        } else {
          // Applied or not, unknown: forget what we knew; each change is safe to repeat.
          sku.known = null;
          finish(sku, batch, outcomes, done.cause());
        }
      });
    });
  }

  /** What each change of a batch came to. */
  private static final class Outcomes {
    final String[] held;
    final RuntimeException[] refused;

    Outcomes(int size) {
      held = new String[size];
      refused = new RuntimeException[size];
    }
  }

  private void finish(Sku sku, List<Pending> batch, Outcomes outcomes, Throwable failure) {
    for (int i = 0; i < batch.size(); i++) {
      Throwable refused = failure != null ? failure : outcomes == null ? null : outcomes.refused[i];
      if (refused != null) {
        batch.get(i).answer().fail(refused);
      } else {
        batch.get(i).answer().complete(outcomes.held[i]);
      }
    }
    writeNext(sku);
  }

  private Future<Read> current(Sku sku) {
    if (sku.known != null) {
      return Future.succeededFuture(sku.known);
    }
    return store.get(sku.name)
        .map(entry -> entry == null ? null : new Read(Stock.decode(entry.value()), entry.revision()));
  }
}
