package dev.orderflow.inventory;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads stock values stored as JSON by versions before the protobuf codec ({@code {"available": .., "reserved": ..,
 * "holds": {order: units}, "returns": {order: units}}}), so that a bucket they wrote stays readable after an
 * upgrade. Nothing writes this form any more.
 */
final class LegacyStockJson {

  private LegacyStockJson() {}

  static Stock decode(byte[] data) {
    JsonObject json = Buffer.buffer(data).toJsonObject();
    return new Stock(json.getLong("available"), json.getLong("reserved"), counts(json.getJsonObject("holds")),
        counts(json.getJsonObject("returns")));
  }

  private static Map<String, Long> counts(JsonObject json) {
    Map<String, Long> counts = new HashMap<>();
    if (json != null) {
      json.forEach(entry -> counts.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
    }
    return counts;
  }
}
