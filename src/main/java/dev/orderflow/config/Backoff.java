package dev.orderflow.config;

import java.time.Duration;

/**
 * Exponential backoff: {@code initial} before the first retry, doubling with each further attempt, never more than
 * {@code max} (a maximum below {@code initial} is every delay). The one rule for every retry loop (redeliveries,
 * start-up, recovery, the embedded server's restarts).
 */
public record Backoff(Duration initial, Duration max) {

  /** Beyond this many doublings every delay is {@code max} (and a shift would overflow). */
  private static final int MAX_DOUBLINGS = 30;

  /** The delay before retry number {@code attempt} (1: the first): {@code initial × 2^(attempt − 1)}, at most max. */
  public Duration delay(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), MAX_DOUBLINGS);
    long millis = initial.toMillis() << doublings;
    return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
  }
}
