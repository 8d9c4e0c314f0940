package dev.orderflow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

import java.time.Duration;
import java.util.List;

/**
 * A soak: a modest {@code rate} (default 10 orders/s) for a long time; {@code duration} defaults to 120 seconds,
 * {@code -Dduration=3600} makes it an hour. Looks for what only time shows: leaks, growing latency, lag.
 */
public class SoakSimulation extends ShopSimulation {

  public SoakSimulation() {
    this(Settings.load(10, Duration.ofSeconds(120)));
  }

  private SoakSimulation(Settings s) {
    super("soak", s, List.of(constantUsersPerSec(s.rate()).during(s.duration())), s.duration());
  }
}
