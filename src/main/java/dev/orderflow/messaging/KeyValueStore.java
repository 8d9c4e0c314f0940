package dev.orderflow.messaging;

import io.vertx.core.Future;
import java.util.regex.Pattern;

/** Non-blocking access to one key-value bucket, with compare-and-set writes. */
public interface KeyValueStore {

  /** One entry. {@code revision} is what a compare-and-set write must name. */
  record Entry(String key, byte[] value, long revision) {}

  /** The entry that stands after {@link #createOrGet}, and whether this call created it. */
  record Claim(Entry entry, boolean created) {}

  /** Whether {@code key} can be used as a key (the characters NATS subjects allow in a token, and dots). */
  static boolean validKey(String key) {
    return key != null && Keys.PATTERN.matcher(key).matches() && !key.startsWith(".") && !key.endsWith(".");
  }

  /** The current entry for {@code key}, or {@code null} if there is none. */
  Future<Entry> get(String key);

  /** Writes {@code value} only if {@code key} has no value yet; fails with {@link WriteConflict} if it has. */
  Future<Long> create(String key, byte[] value);

  /**
   * Creates {@code key} with {@code value} unless it exists; either way answers the entry that stands. The
   * idempotency point of many handlers: the first delivery creates, a repeated one finds what the first made.
   */
  Future<Claim> createOrGet(String key, byte[] value);

  /**
   * Writes {@code value} only if {@code key} is still at {@code revision}; fails with {@link WriteConflict} if
   * it moved on. Answers the new revision.
   */
  Future<Long> update(String key, byte[] value, long revision);

  /** Holds the compiled key pattern (an interface's fields are public; this keeps it out of sight). */
  final class Keys {
    private static final Pattern PATTERN = Pattern.compile("[-/_=.a-zA-Z0-9]+");

    private Keys() {}
  }
}
