package dev.orderflow.messaging;

/**
 * A JetStream key-value bucket.
 *
 * @param expiring whether entries expire (after the idempotency-key time to live); others live forever
 */
public record BucketSpec(String name, boolean expiring) {

  /** The name of the stream behind the bucket. */
  public String streamName() {
    return "KV_" + name;
  }

  /** The subject that stores {@code key}. */
  public String subject(String key) {
    return "$KV." + name + "." + key;
  }
}
