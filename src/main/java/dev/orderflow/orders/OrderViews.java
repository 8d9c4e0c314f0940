package dev.orderflow.orders;

import dev.orderflow.messaging.KeyValueStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** The order views in their key-value bucket, keyed by order id, with the revision a compare-and-set needs. */
final class OrderViews {

  /** An order view as read, with the revision to name when replacing it. */
  record Versioned(Order order, long revision) {}

  private final KeyValueStore store;

  OrderViews(KeyValueStore store) {
    this.store = store;
  }

  /** Whether {@code orderId} could name an order at all (anything else is simply not found). */
  static boolean plausibleId(String orderId) {
    return KeyValueStore.validKey(orderId) && orderId.length() <= 64;
  }

  /** The view, or {@code null} if there is no such order (yet). */
  Future<Versioned> get(String orderId) {
    return store.get(orderId).map(entry -> entry == null ? null
        : new Versioned(OrderJson.fromJson(Buffer.buffer(entry.value()).toJsonObject()), entry.revision()));
  }

  /** The view as the JSON document it is stored as (which is also the API's answer), or {@code null}. */
  Future<byte[]> document(String orderId) {
    return store.get(orderId).map(entry -> entry == null ? null : entry.value());
  }

  /** Stores a new view; fails with {@code WriteConflict} if one exists. */
  Future<Long> create(Order order) {
    return store.create(order.id(), encode(order));
  }

  /** Replaces the view read at {@code revision}; fails with {@code WriteConflict} if it changed since. */
  Future<Long> replace(Order order, long revision) {
    return store.update(order.id(), encode(order), revision);
  }

  private static byte[] encode(Order order) {
    return OrderJson.toJson(order).toBuffer().getBytes();
  }
}
