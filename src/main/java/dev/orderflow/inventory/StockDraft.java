package dev.orderflow.inventory;

import java.util.HashMap;
import java.util.Map;

/**
 * A mutable working copy of a {@link Stock}, for applying a batch of changes: each change costs O(1), and the
 * immutable value is built once at the end, so a batch of k changes to a value that holds n orders costs O(k + n)
 * rather than a copy per change. The rules of each change are those documented on {@link Stock}, which applies
 * its own single changes through a draft too, so they are written once.
 *
 * <p>A change that is refused (it throws) changes nothing: every check comes before the first write, so the rest
 * of a batch can go ahead on the same draft. Not thread-safe; one owner at a time.
 */
final class StockDraft {

  private final Stock from;
  private long available;
  private long reserved;
  private final Entries<Long> holds;
  private final Entries<Long> returns;
  private final Entries<String> holders;
  private final Entries<String> returners;
  private boolean changed;

  StockDraft(Stock from) {
    this.from = from;
    this.available = from.available();
    this.reserved = from.reserved();
    this.holds = new Entries<>(from.holds());
    this.returns = new Entries<>(from.returns());
    this.holders = new Entries<>(from.holders());
    this.returners = new Entries<>(from.returners());
  }

  /** See {@link Stock#reserve}; answers whether the order holds the units. */
  boolean reserve(String orderId, long quantity) {
    return reserve(orderId, quantity, "") != null;
  }

  /** See {@link Stock#reserve(String, long, String)}; answers who made the order's hold, or null if not held. */
  String reserve(String orderId, long quantity, String holder) {
    if (holds.containsKey(orderId)) {
      return holderOf(orderId);
    }
    if (available < quantity) {
      return null;
    }
    counts(available - quantity, reserved + quantity);
    holds.put(orderId, quantity);
    if (!holder.isEmpty()) {
      holders.put(orderId, holder);
    }
    return holder;
  }

  /** See {@link Stock#unreserve}. */
  void unreserve(String orderId) {
    Long quantity = holds.get(orderId);
    if (quantity == null) {
      return;
    }
    counts(available + quantity, reserved - quantity);
    forgetHold(orderId);
  }

  /** See {@link Stock#release}. */
  void release(String orderId, long quantity) {
    release(orderId, quantity, "", null);
  }

  /** See {@link Stock#release(String, long, String, String)}; answers who applied the order's release. */
  String release(String orderId, long quantity, String returner, String heldBy) {
    if (returns.containsKey(orderId)) {
      return returnerOf(orderId);
    }
    // A hold of the order that the record does not stand for was made after the recorded one was settled: its
    // units go back too.
    boolean late = heldBy != null && holds.containsKey(orderId) && !holderOf(orderId).equals(heldBy);
    long units = quantity + (late ? holds.get(orderId) : 0);
    if (units > reserved) {
      throw new IllegalStateException("cannot release " + units + " units, only " + reserved + " are reserved");
    }
    counts(available + units, reserved - units);
    forgetHold(orderId);
    returns.put(orderId, quantity);
    if (!returner.isEmpty()) {
      returners.put(orderId, returner);
    }
    return returner;
  }

  /** See {@link Stock#settleHold(String)}. */
  void settleHold(String orderId) {
    forgetHold(orderId);
  }

  /** See {@link Stock#settleHold(String, String)}; answers whether it gave a second hold back. */
  boolean settleHold(String orderId, String holder) {
    if (!holds.containsKey(orderId)) {
      return false;
    }
    if (holderOf(orderId).equals(holder)) {
      forgetHold(orderId);
      return false;
    }
    unreserve(orderId);
    return true;
  }

  /** See {@link Stock#settleReturn}. */
  void settleReturn(String orderId) {
    returns.remove(orderId);
    returners.remove(orderId);
  }

  /** See {@link Stock#settleReturn(String, String)}; answers whether it took a second release back. */
  boolean settleReturn(String orderId, String returner) {
    Long quantity = returns.get(orderId);
    if (quantity == null) {
      return false;
    }
    boolean second = !returnerOf(orderId).equals(returner);
    if (second) {
      if (quantity > available) {
        throw new IllegalStateException("cannot take back a release of order " + orderId + " applied twice: "
            + quantity + " units, only " + available + " available");
      }
      counts(available - quantity, reserved + quantity);
    }
    settleReturn(orderId);
    return second;
  }

  /** Whether any change was applied (a batch of repeats changes nothing, and needs no write). */
  boolean changed() {
    return changed;
  }

  /** The stock after the changes applied: the original itself if none was. */
  Stock build() {
    return changed ? new Stock(available, reserved, holds.map, returns.map, holders.map, returners.map) : from;
  }

  /** Who made the order's hold: empty for a hold written before holders were recorded (or for no hold). */
  private String holderOf(String orderId) {
    return holders.getOrDefault(orderId, "");
  }

  /** Who applied the order's release, likewise. */
  private String returnerOf(String orderId) {
    return returners.getOrDefault(orderId, "");
  }

  private void forgetHold(String orderId) {
    holds.remove(orderId);
    holders.remove(orderId);
  }

  /** Sets both counts, refusing (before anything changes) what would make either negative. */
  private void counts(long newAvailable, long newReserved) {
    if (newAvailable < 0 || newReserved < 0) {
      throw new IllegalArgumentException("stock cannot be negative: " + newAvailable + " available, " + newReserved
          + " reserved");
    }
    available = newAvailable;
    reserved = newReserved;
    changed = true;
  }

  /**
   * One of the original's maps, read as it is until its first change and then a private copy (nothing is copied if
   * nothing changes); a removal of what is not there is no change.
   */
  private final class Entries<V> {
    private Map<String, V> map;
    private boolean copied;

    Entries(Map<String, V> original) {
      this.map = original;
    }

    boolean containsKey(String orderId) {
      return map.containsKey(orderId);
    }

    V get(String orderId) {
      return map.get(orderId);
    }

    V getOrDefault(String orderId, V otherwise) {
      return map.getOrDefault(orderId, otherwise);
    }

    void put(String orderId, V value) {
      writable().put(orderId, value);
    }

    void remove(String orderId) {
      if (map.containsKey(orderId)) {
        writable().remove(orderId);
      }
    }

    private Map<String, V> writable() {
      if (!copied) {
        map = new HashMap<>(map);
        copied = true;
      }
      changed = true;
      return map;
    }
  }
}
