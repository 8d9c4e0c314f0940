package dev.orderflow.inventory;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orderflow.inventory.stored.StockLevel;
import java.util.Map;

/**
 * The stock of one SKU: units free to reserve, units held by orders, and which orders' changes are applied but
 * not yet settled. Immutable.
 *
 * <p>{@code holds} names the orders whose reservation is in {@code reserved} but whose reservation record is not
 * final yet; {@code returns} the orders whose release is applied but not yet recorded. Because they travel in the
 * same value as the counts, applying an order's change twice (a redelivery, a second instance, a crash between
 * two steps) is recognised in the same compare-and-set that would apply it, and changes nothing. An entry is
 * settled (removed) once the order's record is final; from then on the record answers for the order.
 */
record Stock(long available, long reserved, Map<String, Long> holds, Map<String, Long> returns) {

  /** The result of one change: the stock after it, and whether the order holds the units. */
  record Change(Stock stock, boolean held) {}

  Stock {
    if (available < 0 || reserved < 0) {
      throw new IllegalArgumentException("stock cannot be negative: " + available + " available, " + reserved
          + " reserved");
    }
    holds = Map.copyOf(holds);
    returns = Map.copyOf(returns);
  }

  static Stock of(long available) {
    return new Stock(available, 0, Map.of(), Map.of());
  }

  /**
   * Reserves {@code quantity} for {@code orderId}: held if it was already held (applied before) or if enough is
   * available; not held (and unchanged) otherwise.
   */
  Change reserve(String orderId, long quantity) {
    StockDraft draft = draft();
    boolean held = draft.reserve(orderId, quantity);
    return new Change(draft.build(), held);
  }

  /** Gives back what {@code orderId} holds and has not settled (a rejected order's partial reservation). */
  Stock unreserve(String orderId) {
    StockDraft draft = draft();
    draft.unreserve(orderId);
    return draft.build();
  }

  /** Releases {@code quantity} that {@code orderId} reserved, once: a release already applied changes nothing. */
  Stock release(String orderId, long quantity) {
    StockDraft draft = draft();
    draft.release(orderId, quantity);
    return draft.build();
  }

  /** Forgets that {@code orderId} holds units, once its reservation record is final. */
  Stock settleHold(String orderId) {
    StockDraft draft = draft();
    draft.settleHold(orderId);
    return draft.build();
  }

  /**
   * Forgets {@code orderId}'s applied release, once its record says RELEASED. Separate from {@link #settleHold}, so
   * that a late settle of the reservation can never erase the marker that keeps a release from happening twice.
   */
  Stock settleReturn(String orderId) {
    StockDraft draft = draft();
    draft.settleReturn(orderId);
    return draft.build();
  }

  /** A working copy to apply several changes to, for the cost of one copy rather than one per change. */
  StockDraft draft() {
    return new StockDraft(this);
  }

  /** The stored form: a {@code StockLevel} (see {@code orderflow/stored/v1/inventory.proto}). */
  byte[] encode() {
    return StockLevel.newBuilder()
        .setAvailable(available)
        .setReserved(reserved)
        .putAllHolds(holds)
        .putAllReturns(returns)
        .build().toByteArray();
  }

  /**
   * Reads a stored value. Versions before the protobuf codec stored JSON, and a bucket written by one of them must
   * stay readable after an upgrade: a value that starts with '{' is that JSON (a {@code StockLevel} never does, as
   * its first byte is the tag of field 1 to 4, or it is empty when everything is zero), anything else protobuf.
   * Whatever is read is written back as protobuf with the SKU's next change.
   */
  static Stock decode(byte[] data) {
    if (data != null && data.length > 0 && data[0] == '{') {
      return LegacyStockJson.decode(data);
    }
    StockLevel level;
    try {
      level = StockLevel.parseFrom(data == null ? new byte[0] : data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored stock is neither protobuf nor JSON: " + e.getMessage(), e);
    }
    return new Stock(level.getAvailable(), level.getReserved(), level.getHoldsMap(), level.getReturnsMap());
  }
}
