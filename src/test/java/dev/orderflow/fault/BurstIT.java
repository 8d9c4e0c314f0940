package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 5: a 5x burst over the steady rate")
class BurstIT {

  @Test
  @DisplayName("only 202, or 429/503 with Retry-After for what is shed; no timeouts, no other 5xx; every "
      + "accepted order completes")
  void burst() throws Exception {
    double rate = FaultLab.LONG ? 300 : 150;
    Duration burst = Duration.ofSeconds(FaultLab.LONG ? 10 : 6);
    try (FaultLab lab = new FaultLab("burst")) {
      lab.nats();
      lab.gateway();
      // A bound this box reaches in a 5x burst, so that shedding shows (the default, 8192, suits bigger machines).
      ServiceProcess worker = lab.worker("w1", new JsonObject().put("http", new JsonObject()
          .put("maxInFlightRequests", 128))).startReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(worker.apiUrl()), rate).start()) {
        Thread.sleep(3_000); // steady load
        load.rate(5 * rate);
        Thread.sleep(burst.toMillis()); // the burst
        load.rate(rate);
        Thread.sleep(3_000); // steady again
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        assertThat(load.answers()).as("every answer 202, or 429/503 with Retry-After; no transport errors")
            .allMatch(a -> a.status() == 202 || ((a.status() == 429 || a.status() == 503) && a.retryAfter()));
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(180));
        Figures.recordAndAssert("5 burst 5x", rate, held, "5x for " + burst.toSeconds() + " s", load, report);
      }
    }
  }
}
