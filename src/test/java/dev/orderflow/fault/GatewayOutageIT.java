package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import dev.orderflow.messaging.operate.ConsumerStates;
import dev.orderflow.testing.Eventually;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 4: the payment gateway out under load")
class GatewayOutageIT {

  @Test
  @DisplayName("the breaker opens and closes again; each order ends SHIPPED or CANCELLED (PAYMENT_FAILED at worst) "
      + "with its stock back, none charged twice")
  void gatewayOutage() throws Exception {
    double rate = FaultLab.LONG ? 300 : 150;
    // Long enough to open the breaker and to make payments wait and retry; 100 s when long, past every retry
    // (about 80 s of backoff), so that payments must keep waiting without giving up.
    Duration outage = Duration.ofSeconds(Long.getLong("fault.gatewayOutageSeconds", FaultLab.LONG ? 100 : 8));
    try (FaultLab lab = new FaultLab("gateway-outage")) {
      lab.nats();
      lab.gateway();
      ServiceProcess worker = lab.worker("w1").startReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(worker.apiUrl()), rate).start()) {
        Thread.sleep(3_000); // steady load before the fault
        // Slow answers first: past the client's 2 s timeout, so that charges are made but their answers lost, and
        // each is asked for again under the same idempotency key.
        lab.gatewayFaults(new JsonObject().put("latencyMs", 2_500));
        Thread.sleep(5_000);
        lab.gatewayFaults(new JsonObject().put("latencyMs", 0));
        Thread.sleep(2_000);
        lab.gatewayFaults(new JsonObject().put("outage", true));
        long outageEnds = System.nanoTime() + outage.toNanos();
        Eventually.eventually(outage, () -> breakerState(worker), state -> state == 2.0);
        Thread.sleep(Math.max(0, (outageEnds - System.nanoTime()) / 1_000_000)); // the rest of the outage
        lab.gatewayFaults(new JsonObject().put("outage", false));
        Eventually.eventually(Duration.ofSeconds(30), () -> breakerState(worker), state -> state == 0.0);
        Thread.sleep(3_000); // load after the recovery
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(180));
        // Orders waited and retried rather than failed at once: an outage shorter than the retries (about 80 s of
        // backoff) fails no payment; a longer one fails those that outlast them, once the gateway's charge log
        // (which stays up) shows no charge. None is left to an operator. The load cancels a share of its orders too.
        Set<String> outcomes = outage.compareTo(Duration.ofSeconds(60)) < 0
            ? Set.of("SHIPPED", "CANCELLED OUT_OF_STOCK", "CANCELLED PAYMENT_DECLINED",
                "CANCELLED OPERATOR_REQUESTED")
            : Set.of("SHIPPED", "CANCELLED OUT_OF_STOCK", "CANCELLED PAYMENT_DECLINED",
                "CANCELLED OPERATOR_REQUESTED", "CANCELLED PAYMENT_FAILED");
        assertThat(report.outcomes().keySet()).isSubsetOf(outcomes);
        assertThat(report.outcomes()).containsKey("SHIPPED");
        Figures.recordAndAssert("4 gateway outage", rate, held, "answers 2.5 s late for 5 s, then gateway out "
            + outage.toSeconds() + " s (breaker opened and closed)", load, report);
        assertThat(deadLetters(lab)).as("dead letters").isZero();
      }
    }
  }

  private static long deadLetters(FaultLab lab) throws Exception {
    return ConsumerStates.read(lab.natsUrl()).streams().stream()
        .filter(stream -> stream.subjects().stream().anyMatch(subject -> subject.startsWith("deadletter")))
        .mapToLong(ConsumerStates.Stream::messages).sum();
  }

  /** The highest {@code orderflow_circuit_breaker_state} the worker reports: 0 closed, 1 half-open, 2 open. */
  private static double breakerState(ServiceProcess worker) throws Exception {
    return worker.get("/metrics").lines()
        .filter(line -> line.startsWith("orderflow_circuit_breaker_state"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .max().orElse(-1);
  }
}
