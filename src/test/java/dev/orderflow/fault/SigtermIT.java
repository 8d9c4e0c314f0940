package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 6: SIGTERM under load")
class SigtermIT {

  /** Requests per SIGTERM that may meet the two documented windows (measured: 0 to 2 on this suite's load). */
  private static final int MAX_UNANSWERED_PER_STOP = 3;

  /** Main's own shutdown deadline is 60 s; a graceful stop under this load takes a few. */
  private static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);

  @Test
  @DisplayName("answers during shutdown are 202 or 503 shutting-down, then connections are refused (a few unanswered "
      + "only in the two documented windows); the process exits within its deadline and the restart finishes the rest")
  void sigterm() throws Exception {
    double rate = FaultLab.LONG ? 300 : 150;
    int stops = FaultLab.LONG ? 5 : 2;
    try (FaultLab lab = new FaultLab("sigterm")) {
      lab.nats();
      lab.gateway();
      ServiceProcess w1 = lab.worker("w1").start();
      ServiceProcess w2 = lab.worker("w2").start();
      w1.awaitReady();
      w2.awaitReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(w1.apiUrl(), w2.apiUrl()), rate).start()) {
        for (int i = 0; i < stops; i++) {
          Thread.sleep(3_000); // load before the stop
          ServiceProcess victim = i % 2 == 0 ? w1 : w2;
          long termAt = System.nanoTime();
          assertThat(victim.sigterm(EXIT_DEADLINE)).as("exits within " + EXIT_DEADLINE).isTrue();
          long exitedAt = System.nanoTime();
          List<LoadDriver.Answer> during = load.answers().stream()
              .filter(a -> a.api().equals(victim.apiUrl()))
              .filter(a -> a.sentNanos() >= termAt && a.answeredNanos() <= exitedAt)
              .toList();
          List<LoadDriver.Answer> other = during.stream()
              .filter(a -> !(a.status() == 202 || (a.status() == 503 && a.retryAfter())
                  || "refused".equals(a.error())))
              .toList();
          System.out.printf("SIGTERM %d: %d answers while stopping (exit after %d ms); other: %s%n", i,
              during.size(), (exitedAt - termAt) / 1_000_000, other.stream()
                  .map(a -> String.format("sent %+d ms, failed %+d ms: %s", (a.sentNanos() - termAt) / 1_000_000,
                      (a.answeredNanos() - termAt) / 1_000_000, a.error())).toList());
          assertThat(during).as("503 shutting-down answers while stopping").anyMatch(a -> a.status() == 503);
          // The listening socket closes before any connection does, and each connection still open closes only
          // after answering (see ApiListener): a request is answered, or its connection is refused. Two windows
          // remain that Vert.x and the kernel leave open (docs/operations.md, "Shutdown: what still ends without an
          // answer"): a connection the kernel accepted as the listener closed, and a kept-alive connection idle
          // through the last second. A request on one gets no answer; its key settles it below. Bounded, not zero.
          List<LoadDriver.Answer> unanswered = other.stream().filter(SigtermIT::closedWithoutAnswer).toList();
          assertThat(other).as("neither a 5xx nor a timeout").containsExactlyInAnyOrderElementsOf(unanswered);
          assertThat(unanswered).as("connections closed without an answer (the two documented windows)")
              .hasSizeLessThanOrEqualTo(MAX_UNANSWERED_PER_STOP);
          victim.start();
          victim.awaitReady();
        }
        Thread.sleep(2_000); // load on the healed pair
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(w1, w2), Duration.ofSeconds(120));
        Figures.recordAndAssert("6 SIGTERM", rate, held,
            stops + " SIGTERM of a worker, every request answered but the documented windows",
            load, report);
      }
    }
  }

  /** A transport error on a connection that was open: closed or reset with the request unanswered (no timeout). */
  private static boolean closedWithoutAnswer(LoadDriver.Answer answer) {
    String error = answer.error() == null ? "" : answer.error();
    return answer.status() == -1
        && (error.startsWith("IOException") || error.startsWith("SocketException")
            || error.startsWith("EOFException"));
  }
}
