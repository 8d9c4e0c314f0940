package dev.orderflow.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The audit's findings: one row per check, and the figures a fault scenario reports. */
public final class AuditReport {

  private static final int EXAMPLES = 5;

  /** One check: whether it held, and what was seen. */
  public record Row(String check, boolean ok, String detail) {}

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Long> outcomes = new TreeMap<>();
  private long audited;
  private long doubled;
  private long lost;
  private Duration took = Duration.ZERO;
  private final Map<String, Duration> phases = new LinkedHashMap<>();

  void row(String check, boolean ok, String detail) {
    rows.add(new Row(check, ok, detail));
  }

  /** A check over a set of offending ids: holds when there are none, else names a few. */
  void row(String check, Collection<String> offenders, String whenOk) {
    rows.add(new Row(check, offenders.isEmpty(), offenders.isEmpty() ? whenOk
        : offenders.size() + ", e.g. " + String.join(" ", offenders.stream().limit(EXAMPLES).toList())));
  }

  void figures(long audited, Map<String, Long> outcomes, long lost, long doubled) {
    this.audited = audited;
    this.outcomes.putAll(outcomes);
    this.lost = lost;
    this.doubled = doubled;
  }

  void took(Duration took, Map<String, Duration> phases) {
    this.took = took;
    this.phases.putAll(phases);
  }

  /** How long the audit took, its wait for the orders to settle included. */
  public Duration took() {
    return took;
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** Whether every check held. */
  public boolean ok() {
    return rows.stream().allMatch(Row::ok);
  }

  /** Orders audited (accepted, plus uncertain ones found to exist). */
  public long audited() {
    return audited;
  }

  /** Terminal outcomes, e.g. {@code SHIPPED} or {@code CANCELLED OUT_OF_STOCK}, with their counts. */
  public Map<String, Long> outcomes() {
    return Map.copyOf(outcomes);
  }

  /** Orders that never reached a terminal status. */
  public long lost() {
    return lost;
  }

  /** Orders with more than one authorized charge. */
  public long doubled() {
    return doubled;
  }

  /** The table printed by {@code bin/audit}. */
  public String table() {
    int width = rows.stream().mapToInt(r -> r.check().length()).max().orElse(5) + 2;
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-" + width + "s%-6s%s%n", "CHECK", "OK", "DETAIL"));
    for (Row row : rows) {
      out.append(String.format("%-" + width + "s%-6s%s%n", row.check(), row.ok() ? "ok" : "FAIL", row.detail()));
    }
    out.append(String.format(Locale.ROOT, "%naudited %d orders: %s; lost %d, doubled %d -> %s (%.1f s)%n",
        audited, outcomes, lost, doubled, ok() ? "PASSED" : "VIOLATIONS", took.toMillis() / 1000.0));
    if (!phases.isEmpty()) {
      StringBuilder parts = new StringBuilder();
      phases.forEach((phase, time) -> parts.append(parts.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.1f s", phase, time.toMillis() / 1000.0)));
      out.append("time: ").append(parts).append(String.format("%n"));
    }
    return out.toString();
  }
}
