package dev.orderflow.orders;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The orders context's business metrics: orders accepted and refused, how sagas end, and how long they take. */
final class OrderMetrics {

  private static final Duration[] LATENCY_BUCKETS = List.of(10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
      30000, 60000, 300000).stream().map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final Counter accepted;
  private final Timer placedToConfirmed;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  OrderMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.accepted = Counter.builder("orderflow.orders.accepted")
        .description("Orders accepted (202) by POST /orders").register(registry);
    this.placedToConfirmed = Timer.builder("orderflow.order.latency")
        .description("Time from an order's acceptance to its confirmation (placed → confirmed)")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
    // Present from the start, so that dashboards and alerts see zeros rather than nothing.
    outcome(OrderStatus.SHIPPED, null, 0);
    for (String reason : new String[] {"OUT_OF_STOCK", "PAYMENT_DECLINED", "PAYMENT_FAILED"}) {
      counter("orderflow.saga.outcomes", "status", "CANCELLED", "reason", reason);
    }
    for (int status : new int[] {400, 413, 415, 422, 503}) {
      counter("orderflow.orders.rejected", "status", Integer.toString(status));
    }
  }

  /** Counts the answer to one {@code POST /orders}. */
  void answered(int status) {
    if (status == 202) {
      accepted.increment();
    } else {
      counter("orderflow.orders.rejected", "status", Integer.toString(status)).increment();
    }
  }

  /** Records an order's move to {@code next}, made by the orders context. */
  void transition(Order before, Order after) {
    if (after.status() == before.status()) {
      return;
    }
    if (after.status() == OrderStatus.CONFIRMED) {
      Instant placed = after.transitions().get(OrderStatus.PENDING);
      Instant confirmed = after.transitions().get(OrderStatus.CONFIRMED);
      if (placed != null && confirmed != null && !confirmed.isBefore(placed)) {
        placedToConfirmed.record(Duration.between(placed, confirmed));
      }
    }
    if (after.status() == OrderStatus.SHIPPED || after.status() == OrderStatus.CANCELLED) {
      outcome(after.status(), after.cancellationReason() == null ? null : after.cancellationReason().name(), 1);
    }
  }

  private void outcome(OrderStatus status, String reason, int count) {
    counter("orderflow.saga.outcomes", "status", status.name(), "reason", reason == null ? "none" : reason)
        .increment(count);
  }

  private Counter counter(String name, String... tags) {
    return counters.computeIfAbsent(name + String.join("|", tags), key -> Counter.builder(name)
        .description(name.endsWith("rejected") ? "Answers to POST /orders other than 202, by status"
            : "Orders that reached a terminal status, by status and cancellation reason")
        .tags(tags)
        .register(registry));
  }
}
