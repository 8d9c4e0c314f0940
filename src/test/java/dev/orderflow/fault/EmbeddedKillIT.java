package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.NatsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 2: kill -9 of the embedded default")
class EmbeddedKillIT {

  @Test
  @DisplayName("its nats-server does not outlive it, the next start on the same data folder comes back by itself, "
      + "and every order accepted before the crash completes")
  void embeddedKill() throws Exception {
    double rate = FaultLab.LONG ? 300 : 100;
    int kills = FaultLab.LONG ? 3 : 1;
    try (FaultLab lab = new FaultLab("embedded-kill")) {
      Path data = lab.dir.resolve("laptop-data");
      // The gateway simulator, which must outlive the kills as the audit's witness, on a NATS of its own: the
      // embedded server refuses every client but the service (and the tools) with a token new at each start.
      lab.nats();
      lab.gateway();
      ServiceProcess laptop = lab.embeddedDefault("laptop", data, NatsTestServer.freePort()).startReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(laptop.apiUrl()), rate).start()) {
        for (int i = 0; i < kills; i++) {
          Thread.sleep(3_000); // load before the crash
          long natsPid = Long.parseLong(Files.readString(data.resolve("nats").resolve("nats-server.pid")).trim());
          laptop.kill9();
          Eventually.eventually(Duration.ofSeconds(15), () -> ProcessHandle.of(natsPid).filter(ProcessHandle::isAlive),
              Optional::isEmpty);
          laptop.start();
          laptop.awaitReady();
        }
        Thread.sleep(3_000); // load after the restart
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        assertThat(Files.readString(laptop.log())).doesNotContain("another Orderflow");
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(laptop), Duration.ofSeconds(120));
        Figures.recordAndAssert("2 embedded default kill -9", rate, held, kills
            + " kill -9 of service + its nats-server", load, report);
      }
    }
  }
}
