package dev.orderflow.orders;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The answers to {@code POST /orders}: orders accepted, and requests refused by status. */
final class OrderMetrics {

  private final MeterRegistry registry;
  private final Counter accepted;
  private final Map<Integer, Counter> rejected = new ConcurrentHashMap<>();

  OrderMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.accepted = Counter.builder("orderflow.orders.accepted")
        .description("Orders accepted (202) by POST /orders").register(registry);
    // Present from the start, so that dashboards and alerts see zeros rather than nothing.
    for (int status : new int[] {400, 401, 403, 413, 415, 422, 429, 503}) {
      rejected(status);
    }
  }

  /** Counts the answer to one {@code POST /orders}. */
  void answered(int status) {
    if (status == 202) {
      accepted.increment();
    } else {
      rejected(status).increment();
    }
  }

  private Counter rejected(int status) {
    return rejected.computeIfAbsent(status, code -> Counter.builder("orderflow.orders.rejected")
        .description("Answers to POST /orders other than 202, by status")
        .tags("status", Integer.toString(code))
        .register(registry));
  }
}
