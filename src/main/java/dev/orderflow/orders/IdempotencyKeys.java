package dev.orderflow.orders;

import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.messaging.KeyValueStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Makes {@code POST /orders} with an {@code Idempotency-Key} safe to retry. The first request with a key claims
 * it (an atomic create, so concurrent instances agree) and stores the order's {@code OrderPlaced}; a retry with
 * the same body gets that same event back, published again (the stream drops it if it was already stored, and
 * stores it if the first attempt never got that far), so the client always ends up with one order. The same key
 * with another body is refused.
 *
 * <p>Keys are the customer's own: stored under the customer the order is for (an operator ordering for a customer
 * uses that customer's), so one customer's key neither blocks nor reveals another's.
 */
final class IdempotencyKeys {

  /** The longest key accepted, in characters. */
  static final int MAX_KEY_LENGTH = 255;

  private final KeyValueStore store;

  IdempotencyKeys(KeyValueStore store) {
    this.store = store;
  }

  /** Throws a 400 problem unless {@code key} is an acceptable Idempotency-Key header value. */
  static void check(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw HttpProblem.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
          "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters");
    }
  }

  /**
   * The {@code OrderPlaced} to publish for this request: a new one (from {@code placed}) the first time
   * {@code customerId} sends the key, the stored one when the key comes again with the same order.
   */
  Future<OrderPlaced> claim(String customerId, String key, String fingerprint, Supplier<OrderPlaced> placed) {
    String storeKey = digest(customerId, key);
    OrderPlaced candidate = placed.get();
    JsonObject record = new JsonObject()
        .put("fingerprint", fingerprint)
        .put("orderPlaced", Base64.getEncoder().encodeToString(candidate.toByteArray()));
    return store.createOrGet(storeKey, record.toBuffer().getBytes())
        .map(claim -> claim.created() ? candidate : earlier(claim.entry().value(), fingerprint));
  }

  private static OrderPlaced earlier(byte[] stored, String fingerprint) {
    JsonObject record = Buffer.buffer(stored).toJsonObject();
    if (!fingerprint.equals(record.getString("fingerprint"))) {
      throw HttpProblem.of(422, "idempotency-key-reused", "Idempotency-Key reused",
          "This Idempotency-Key was already used for a different order; use a new key for a new order");
    }
    try {
      return OrderPlaced.parseFrom(Base64.getDecoder().decode(record.getString("orderPlaced")));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt idempotency record", e);
    }
  }

  /**
   * Keys are hashed: clients may send characters a bucket key cannot hold, and hashes have a fixed length. Neither
   * a customer id nor a key holds a line break, so the pair is read one way only.
   */
  private static String digest(String customerId, String key) {
    return Digests.sha256Hex(customerId + "\n" + key);
  }
}
