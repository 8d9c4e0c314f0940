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
 *
 * <p>{@code holders} names who made each hold: the delivery of the order, by the id of the {@code StockReserved} it
 * would store. Two deliveries of one order can overlap (a takeover while the first still runs, slowed by a broker
 * failover): if the first stores its record and settles its hold between the second's look-up and the second's
 * reservation, the second makes a hold anew. The record names the holds it stands for, so settling against it
 * gives such a hold back instead of holding the units twice ({@link #settleHold(String, String)}).
 */
record Stock(long available, long reserved, Map<String, Long> holds, Map<String, Long> returns,
    Map<String, String> holders, Map<String, String> returners) {

  /** The result of one change: the stock after it, and who made the order's hold ({@code null}: not held). */
  record Change(Stock stock, String holder) {
    boolean held() {
      return holder != null;
    }
  }

  Stock {
    if (available < 0 || reserved < 0) {
      throw new IllegalArgumentException("stock cannot be negative: " + available + " available, " + reserved
          + " reserved");
    }
    holds = Map.copyOf(holds);
    returns = Map.copyOf(returns);
    holders = Map.copyOf(holders);
    returners = Map.copyOf(returners);
  }

  /** A stock whose holds and releases name no maker (as values written before they were recorded). */
  Stock(long available, long reserved, Map<String, Long> holds, Map<String, Long> returns) {
    this(available, reserved, holds, returns, Map.of(), Map.of());
  }

  static Stock of(long available) {
    return new Stock(available, 0, Map.of(), Map.of());
  }

  /**
   * Reserves {@code quantity} for {@code orderId}: held if it was already held (applied before) or if enough is
   * available; not held (and unchanged) otherwise.
   */
  Change reserve(String orderId, long quantity) {
    return reserve(orderId, quantity, "");
  }

  /**
   * Reserves as {@link #reserve(String, long)} does, a new hold being marked as made by {@code holder}; the change
   * answers who made the order's hold (this holder, or whoever made the one already there).
   */
  Change reserve(String orderId, long quantity, String holder) {
    StockDraft draft = draft();
    String held = draft.reserve(orderId, quantity, holder);
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

  /**
   * Releases as {@link #release(String, long)} does, a new release marked as applied by {@code returner}. The
   * order's reservation record stands for the hold {@code heldBy} made ({@code null}: whichever); a hold of the order
   * made by anyone else is one made after the recorded one was settled, and is given back with the release.
   */
  Stock release(String orderId, long quantity, String returner, String heldBy) {
    StockDraft draft = draft();
    draft.release(orderId, quantity, returner, heldBy);
    return draft.build();
  }

  /** Forgets that {@code orderId} holds units, once its reservation record is final. */
  Stock settleHold(String orderId) {
    StockDraft draft = draft();
    draft.settleHold(orderId);
    return draft.build();
  }

  /**
   * Settles {@code orderId}'s hold against its reservation record, which stands for the hold {@code holder} made: that
   * hold is forgotten (the record answers for it now); a hold made by someone else is one made after the recorded
   * one was settled, by a delivery of the order that overlapped the recording one, and is given back, since the
   * record already counts those units.
   */
  Stock settleHold(String orderId, String holder) {
    StockDraft draft = draft();
    draft.settleHold(orderId, holder);
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

  /**
   * Settles {@code orderId}'s applied release against its {@code StockReleased}, which stands for the release that
   * {@code returner} applied: that one is forgotten; one applied by someone else is a release applied a second
   * time, by a delivery that overlapped the recording one after it settled, and is taken back (refused if the
   * units are no longer available).
   */
  Stock settleReturn(String orderId, String returner) {
    StockDraft draft = draft();
    draft.settleReturn(orderId, returner);
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
        .putAllHolders(holders)
        .putAllReturners(returners)
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
    return new Stock(level.getAvailable(), level.getReserved(), level.getHoldsMap(), level.getReturnsMap(),
        level.getHoldersMap(), level.getReturnersMap());
  }
}
