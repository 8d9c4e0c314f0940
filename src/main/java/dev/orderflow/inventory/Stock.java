package dev.orderflow.inventory;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * The stock of one SKU: units free to reserve, and units held by orders. Immutable; a reservation moves units
 * from available to reserved, a release moves them back.
 */
record Stock(long available, long reserved) {

  Stock {
    if (available < 0 || reserved < 0) {
      throw new IllegalArgumentException("stock cannot be negative: " + available + " available, " + reserved
          + " reserved");
    }
  }

  /** The stock after reserving {@code quantity}, or empty when not enough is available. */
  Optional<Stock> reserve(long quantity) {
    return available >= quantity ? Optional.of(new Stock(available - quantity, reserved + quantity)) : Optional.empty();
  }

  /** The stock after giving back {@code quantity} reserved units. */
  Stock release(long quantity) {
    if (quantity > reserved) {
      throw new IllegalStateException("cannot release " + quantity + " units, only " + reserved + " are reserved");
    }
    return new Stock(available + quantity, reserved - quantity);
  }

  byte[] encode() {
    return new JsonObject().put("available", available).put("reserved", reserved).toBuffer().getBytes();
  }

  static Stock decode(byte[] data) {
    JsonObject json = Buffer.buffer(data).toJsonObject();
    return new Stock(json.getLong("available"), json.getLong("reserved"));
  }
}
