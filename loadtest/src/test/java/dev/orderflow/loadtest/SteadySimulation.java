package dev.orderflow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

import java.time.Duration;
import java.util.List;

/** A steady shop: {@code rate} new orders per second (default 20) for {@code duration} seconds (default 60). */
public class SteadySimulation extends ShopSimulation {

  public SteadySimulation() {
    this(Settings.load(20, Duration.ofSeconds(60)));
  }

  private SteadySimulation(Settings s) {
    super("steady", s, List.of(constantUsersPerSec(s.rate()).during(s.duration())), s.duration());
  }
}
