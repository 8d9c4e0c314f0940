package dev.orderflow.fault;

import dev.orderflow.audit.AuditReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 1: kill -9 of a worker under load")
class WorkerKillIT {

  @Test
  @DisplayName("workers killed with SIGKILL at random moments and restarted: every accepted order completes, none "
      + "is charged twice, stock adds up")
  void killWorkers() throws Exception {
    double rate = FaultLab.LONG ? 300 : 150;
    int kills = FaultLab.LONG ? 10 : 3;
    try (FaultLab lab = new FaultLab("worker-kill")) {
      lab.nats();
      lab.gateway();
      ServiceProcess w1 = lab.worker("w1").start();
      ServiceProcess w2 = lab.worker("w2").start();
      w1.awaitReady();
      w2.awaitReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(w1.apiUrl(), w2.apiUrl()), rate).start()) {
        for (int i = 0; i < kills; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(1_000, 4_000)); // a random moment under load
          ServiceProcess victim = i % 2 == 0 ? w1 : w2;
          victim.kill9();
          victim.start();
          victim.awaitReady();
        }
        Thread.sleep(2_000); // load on the healed pair
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(w1, w2), Duration.ofSeconds(120));
        Figures.recordAndAssert("1 worker kill -9", rate, held, kills + " kill -9 of a worker", load, report);
      }
    }
  }
}
