package dev.orderflow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import java.time.Duration;
import java.util.List;

/**
 * Black Friday: a steady base of {@code rate} orders/s (default 20) for {@code duration} seconds (default 30),
 * a ramp over {@code ramp} seconds (default 10) to {@code peakFactor}× the base (default 5) held for {@code peak}
 * seconds (default 30), a ramp back, and the base again for {@code duration}. Every order accepted during the spike
 * must end as expected: no dropped orders at 5× normal traffic.
 */
public class BlackFridaySimulation extends ShopSimulation {

  public BlackFridaySimulation() {
    this(Settings.load(20, Duration.ofSeconds(30)));
  }

  private BlackFridaySimulation(Settings s) {
    super("black-friday", s, List.of(
        constantUsersPerSec(s.rate()).during(s.duration()),
        rampUsersPerSec(s.rate()).to(s.rate() * s.peakFactor()).during(s.ramp()),
        constantUsersPerSec(s.rate() * s.peakFactor()).during(s.peak()),
        rampUsersPerSec(s.rate() * s.peakFactor()).to(s.rate()).during(s.ramp()),
        constantUsersPerSec(s.rate()).during(s.duration())),
        s.duration().multipliedBy(2).plus(s.ramp().multipliedBy(2)).plus(s.peak()));
  }
}
