package dev.orderflow.console;

import dev.orderflow.messaging.operate.DeadLetterDesk.Letter;
import io.vertx.core.json.JsonObject;

/** A dead letter as the admin API and the console show it. */
final class DeadLetterJson {

  private DeadLetterJson() {}

  static JsonObject of(Letter letter) {
    return new JsonObject()
        .put("sequence", letter.sequence())
        .put("consumer", letter.consumer())
        .put("subject", letter.originalSubject())
        .put("stream", letter.originalStream())
        .put("streamSequence", number(letter.originalSequence()))
        .put("deliveries", number(letter.deliveries()))
        .put("reason", letter.reason())
        .put("orderId", letter.orderId())
        .put("storedAt", letter.storedAt() == null ? null : letter.storedAt().toString())
        .put("bytes", letter.bytes());
  }

  /** A header that should hold a number; null when it does not. */
  private static Long number(String header) {
    try {
      return header == null ? null : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
