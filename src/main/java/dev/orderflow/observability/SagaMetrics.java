package dev.orderflow.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How orders' sagas end and how long they take. Recorded by the context that writes an order's terminal event: the
 * orders context for a cancellation, shipping for a shipment. Each event is counted once, by the write that stored
 * it, so that the counters sum to the orders that reached a terminal status across any number of processes.
 */
public final class SagaMetrics {

  /** Cancellation reasons, named as the events name them; their series exist from the start, at zero. */
  private static final List<String> REASONS = List.of("OUT_OF_STOCK", "PAYMENT_DECLINED", "PAYMENT_FAILED",
      "CUSTOMER_REQUESTED", "OPERATOR_REQUESTED");
  /**
   * Bucket bounds in ms. A quantile read from a histogram is only known to lie within its bucket, so from 5 ms to
   * 1 s, where orders finish, the bounds are 20-50 % apart; beyond, they run to the longest an order may take
   * through retries.
   */
  private static final Duration[] BUCKETS = List.of(1, 2, 3, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150,
      200, 250, 300, 400, 500, 750, 1000, 1500, 2500, 5000, 10000, 30000, 60000, 300000).stream()
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final Timer placedToConfirmed;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();

  public SagaMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.placedToConfirmed = Timer.builder("orderflow.order.latency")
        .description("Time from an order's acceptance to its confirmation (placed → confirmed)")
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
    outcome("SHIPPED", "none");
    duration("SHIPPED");
    duration("CANCELLED");
    REASONS.forEach(reason -> outcome("CANCELLED", reason));
  }

  /** An order was confirmed at {@code at}. */
  public void confirmed(Instant placedAt, Instant at) {
    record(placedToConfirmed, placedAt, at);
  }

  /** An order was shipped at {@code at}. */
  public void shipped(Instant placedAt, Instant at) {
    outcome("SHIPPED", "none").increment();
    record(duration("SHIPPED"), placedAt, at);
  }

  /** An order was cancelled at {@code at}, for {@code reason}. */
  public void cancelled(String reason, Instant placedAt, Instant at) {
    outcome("CANCELLED", reason).increment();
    record(duration("CANCELLED"), placedAt, at);
  }

  private static void record(Timer timer, Instant from, Instant to) {
    // An event from before this field existed carries no placed time (the epoch): there is nothing to measure.
    if (from.getEpochSecond() > 0 && !to.isBefore(from)) {
      timer.record(Duration.between(from, to));
    }
  }

  private Counter outcome(String status, String reason) {
    return outcomes.computeIfAbsent(status + "|" + reason, key -> Counter.builder("orderflow.saga.outcomes")
        .description("Orders that reached a terminal status, by status and cancellation reason")
        .tags("status", status, "reason", reason)
        .register(registry));
  }

  private Timer duration(String status) {
    return durations.computeIfAbsent(status, key -> Timer.builder("orderflow.saga.duration")
        .description("Time from an order's acceptance to its terminal status (placed → shipped or cancelled)")
        .tags("status", status)
        .serviceLevelObjectives(BUCKETS)
        .register(registry));
  }
}
