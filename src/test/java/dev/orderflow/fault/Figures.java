package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * What each scenario held and survived, appended as one line to {@code target/fault-logs/figures.md} (the tables
 * of docs/operations.md come from there), and the suite's common final assertion.
 */
final class Figures {

  private Figures() {}

  /** Records the scenario's figures and fails unless the audit found nothing: 0 lost, 0 doubled. */
  static void recordAndAssert(String scenario, double rate, Duration load, String faults, LoadDriver driver,
      AuditReport report) throws IOException {
    String line = String.format("| %s | %.0f/s for %d s | %s | %d | %d | %d | %s |%n", scenario, rate,
        load.toSeconds(), faults, report.audited(), report.lost(), report.doubled(), driver.byStatus());
    Path file = Path.of("target", "fault-logs", "figures.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(line);
    assertThat(report.lost()).as("orders lost").isZero();
    assertThat(report.doubled()).as("orders charged twice").isZero();
    assertThat(report.ok()).as("every audit check holds:%n%s", report.table()).isTrue();
  }
}
