package dev.orderflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A log throttle")
class LogThrottleTest {

  @Test
  @DisplayName("lets the first line through, holds back and counts the rest within the interval")
  void oneLinePerInterval() {
    LogThrottle throttle = new LogThrottle(Duration.ofHours(1));
    assertThat(throttle.allow()).isTrue();
    assertThat(throttle.suppressed()).isZero();
    for (int i = 0; i < 1_000; i++) {
      assertThat(throttle.allow()).isFalse();
    }
    assertThat(throttle.suppressed()).isEqualTo(1_000);
  }

  @Test
  @DisplayName("lets a line through again once reset, as when the condition cleared")
  void reset() {
    LogThrottle throttle = new LogThrottle(Duration.ofHours(1));
    throttle.allow();
    throttle.allow();
    throttle.reset();
    assertThat(throttle.allow()).isTrue();
    assertThat(throttle.suppressed()).isZero();
  }

  @Test
  @DisplayName("lets a line through again after the interval")
  void afterInterval() throws InterruptedException {
    LogThrottle throttle = new LogThrottle(Duration.ofMillis(1));
    assertThat(throttle.allow()).isTrue();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    boolean again = false;
    while (!again && System.nanoTime() < deadline) {
      again = throttle.allow();
    }
    assertThat(again).isTrue();
  }
}
