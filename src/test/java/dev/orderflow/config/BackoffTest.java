package dev.orderflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backoff")
class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  @DisplayName("waits the initial delay before the first retry and doubles it for each one after")
  void doubles() {
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.delay(6)).isEqualTo(Duration.ofMillis(3_200));
  }

  @Test
  @DisplayName("never waits longer than the maximum, however many attempts (no overflow)")
  void capped() {
    assertThat(backoff.delay(7)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(64)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
    assertThat(new Backoff(Duration.ofDays(365), Duration.ofDays(400)).delay(40)).isEqualTo(Duration.ofDays(400));
  }

  @Test
  @DisplayName("treats an attempt below 1 as the first")
  void firstAttempt() {
    assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("waits the maximum every time when it is below the initial delay")
  void maximumBelowInitial() {
    assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).delay(1)).isEqualTo(Duration.ofSeconds(1));
  }
}
