package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 3: nats-server killed and restarted under load")
class BrokerRestartIT {

  /** An acknowledgement received just before the kill may be answered a moment after it. */
  private static final long MARGIN_NANOS = Duration.ofMillis(300).toNanos();

  @Test
  @DisplayName("while the broker is down the API answers 503 with Retry-After and never 202; afterwards every "
      + "accepted order completes")
  void brokerRestart() throws Exception {
    double rate = FaultLab.LONG ? 300 : 150;
    Duration outage = Duration.ofSeconds(FaultLab.LONG ? 20 : 6);
    try (FaultLab lab = new FaultLab("broker-restart")) {
      NatsNode nats = lab.nats();
      lab.gateway();
      ServiceProcess worker = lab.worker("w1").startReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(worker.apiUrl()), rate).start()) {
        Thread.sleep(3_000); // steady load before the fault
        nats.kill9();
        long killedAt = System.nanoTime();
        Thread.sleep(outage.toMillis()); // the outage lasts this long
        long restartedAt = System.nanoTime();
        nats.start();
        worker.awaitReady();
        Thread.sleep(3_000); // load after the recovery
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);

        List<LoadDriver.Answer> whileDown = load.answers().stream()
            .filter(a -> a.answeredNanos() > killedAt + MARGIN_NANOS && a.answeredNanos() < restartedAt)
            .toList();
        assertThat(whileDown).as("answers while the broker was down").isNotEmpty();
        assertThat(whileDown).as("never 202 while the broker is down").noneMatch(a -> a.status() == 202);
        assertThat(whileDown).as("503 with Retry-After while the broker is down")
            .allMatch(a -> a.status() == 503 && a.retryAfter());

        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(120));
        Figures.recordAndAssert("3 broker kill -9 + restart", rate, held,
            "nats-server down " + outage.toSeconds() + " s", load, report);
      }
    }
  }
}
