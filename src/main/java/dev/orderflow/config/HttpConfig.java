package dev.orderflow.config;

import java.time.Duration;

/**
 * The public HTTP API.
 *
 * @param instances event-loop instances of the HTTP server (one per core is typical)
 * @param maxInFlightRequests requests being worked on at once per process; beyond it the API answers 503
 * @param retryAfterSeconds the {@code Retry-After} value sent with 429 and 503 answers
 * @param idleTimeout a connection with nothing read or written for this long is closed
 * @param requestReadTimeout a request whose head and body have not fully arrived within this long is answered
 *     408 (if nothing was answered yet) and its connection closed
 * @param shutdownDelay on shutdown, how long the listeners stay open answering 503 {@code shutting-down} (while
 *     readiness is down, so that load balancers and clients move on) before they close
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
    Duration idempotencyKeyTtl,
    Duration idleTimeout,
    Duration requestReadTimeout,
    Duration shutdownDelay) {

  static HttpConfig from(Settings s) {
    return new HttpConfig(
        s.string("host"),
        s.port("port"),
        s.positive("instances"),
        s.positive("maxBodyBytes"),
        // Within what every consumer accepts of an event (events.EventRules): an order the API takes must pass.
        (int) s.integer("maxOrderLines", 1, 500),
        (int) s.integer("maxQuantityPerLine", 1, 1_000_000),
        s.positive("maxInFlightRequests"),
        s.positive("retryAfterSeconds"),
        Duration.ofHours(s.integer("idempotencyKeyTtlHours", 1, 24 * 365)),
        Duration.ofSeconds(s.positive("idleTimeoutSeconds")),
        s.positiveMillis("requestReadTimeoutMs"),
        s.millis("shutdownDelayMs"));
  }
}
