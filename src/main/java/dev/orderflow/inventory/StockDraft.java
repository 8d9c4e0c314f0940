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
  /** The original's maps until the first change to each, then a private copy (nothing to copy if nothing changes). */
  private Map<String, Long> holds;
  private Map<String, Long> returns;
  private boolean holdsCopied;
  private boolean returnsCopied;
  private boolean changed;

  StockDraft(Stock from) {
    this.from = from;
    this.available = from.available();
    this.reserved = from.reserved();
    this.holds = from.holds();
    this.returns = from.returns();
  }

  /** See {@link Stock#reserve}; answers whether the order holds the units. */
  boolean reserve(String orderId, long quantity) {
    if (holds.containsKey(orderId)) {
      return true;
    }
    if (available < quantity) {
      return false;
    }
    counts(available - quantity, reserved + quantity);
    holds().put(orderId, quantity);
    return true;
  }

  /** See {@link Stock#unreserve}. */
  void unreserve(String orderId) {
    Long quantity = holds.get(orderId);
    if (quantity == null) {
      return;
    }
    counts(available + quantity, reserved - quantity);
    holds().remove(orderId);
  }

  /** See {@link Stock#release}. */
  void release(String orderId, long quantity) {
    if (returns.containsKey(orderId)) {
      return;
    }
    if (quantity > reserved) {
      throw new IllegalStateException("cannot release " + quantity + " units, only " + reserved + " are reserved");
    }
    counts(available + quantity, reserved - quantity);
    if (holds.containsKey(orderId)) {
      holds().remove(orderId);
    }
    returns().put(orderId, quantity);
  }

  /** See {@link Stock#settleHold}. */
  void settleHold(String orderId) {
    if (holds.containsKey(orderId)) {
      holds().remove(orderId);
    }
  }

  /** See {@link Stock#settleReturn}. */
  void settleReturn(String orderId) {
    if (returns.containsKey(orderId)) {
      returns().remove(orderId);
    }
  }

  /** Whether any change was applied (a batch of repeats changes nothing, and needs no write). */
  boolean changed() {
    return changed;
  }

  /** The stock after the changes applied: the original itself if none was. */
  Stock build() {
    return changed ? new Stock(available, reserved, holds, returns) : from;
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

  private Map<String, Long> holds() {
    if (!holdsCopied) {
      holds = new HashMap<>(holds);
      holdsCopied = true;
    }
    changed = true;
    return holds;
  }

  private Map<String, Long> returns() {
    if (!returnsCopied) {
      returns = new HashMap<>(returns);
      returnsCopied = true;
    }
    changed = true;
    return returns;
  }
}
