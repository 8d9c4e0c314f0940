package dev.orderflow.config;

import java.time.Duration;

/**
 * The public HTTP API.
 *
 * @param instances event-loop instances of the HTTP server (one per core is typical)
 * @param maxInFlightRequests requests being worked on at once per process; beyond it the API answers 503
 * @param retryAfterSeconds the {@code Retry-After} value sent with 429 and 503 answers
 */
public record HttpConfig(
    String host,
    int port,
    int instances,
    int maxBodyBytes,
    int maxOrderLines,
    int maxQuantityPerLine,
    int maxInFlightRequests,
    int retryAfterSeconds,
    Duration idempotencyKeyTtl) {

  static HttpConfig from(Settings s) {
    return new HttpConfig(
        s.string("host"),
        s.port("port"),
        s.positive("instances"),
        s.positive("maxBodyBytes"),
        s.positive("maxOrderLines"),
        s.positive("maxQuantityPerLine"),
        s.positive("maxInFlightRequests"),
        s.positive("retryAfterSeconds"),
        Duration.ofHours(s.integer("idempotencyKeyTtlHours", 1, 24 * 365)));
  }
}
