package dev.orderflow.config;

import java.time.Duration;

/**
 * How every durable consumer pulls, bounds and retries its messages.
 *
 * @param batchSize messages asked for per pull request
 * @param maxAckPending messages handed out and not yet acknowledged, across all instances of a role
 * @param ackWait how long the server waits for an acknowledgement before it redelivers
 * @param maxDeliver deliveries of one message before it is given up and dead-lettered
 * @param backoffInitial delay before the first redelivery after a transient failure; it doubles each time
 * @param backoffMax the longest delay between redeliveries
 */
public record ConsumerConfig(
    int batchSize, int maxAckPending, Duration ackWait, int maxDeliver, Duration backoffInitial, Duration backoffMax) {

  /** The delay before redelivering a message whose {@code attempt}-th delivery (1-based) failed. */
  public Duration backoff(int attempt) {
    return new Backoff(backoffInitial, backoffMax).delay(attempt);
  }

  static ConsumerConfig from(Settings s) {
    return new ConsumerConfig(
        s.positive("batchSize"),
        s.positive("maxAckPending"),
        s.positiveMillis("ackWaitMs"),
        (int) s.integer("maxDeliver", 1, 1000),
        s.positiveMillis("backoffInitialMs"),
        s.positiveMillis("backoffMaxMs"));
  }
}
