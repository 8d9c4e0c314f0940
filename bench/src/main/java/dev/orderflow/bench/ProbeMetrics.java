package dev.orderflow.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters bin/benchmark reads from Orderflow's {@code GET /metrics}, kept under the same names: orders
 * accepted, orders through the saga (counted as SHIPPED), and the histogram of placed → done with Orderflow's
 * bucket bounds for {@code orderflow_saga_duration_seconds}.
 */
final class ProbeMetrics {

  /** Bucket bounds in ms, as Orderflow's SagaMetrics has them. */
  private static final long[] BOUNDS_MS = {1, 2, 3, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250,
      300, 400, 500, 750, 1000, 1500, 2500, 5000, 10000, 30000, 60000, 300000};

  private final LongAdder accepted = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder unavailable = new LongAdder();
  private final LongAdder done = new LongAdder();
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MS.length + 1);
  private final LongAdder sumNanos = new LongAdder();

  void accepted() {
    accepted.increment();
  }

  /** A request refused: 400 (not a JSON object) or 503 (the stream did not take it). */
  void rejected(int status) {
    (status == 400 ? malformed : unavailable).increment();
  }

  void done(long nanosSincePlaced) {
    done.increment();
    sumNanos.add(nanosSincePlaced);
    int i = 0;
    while (i < BOUNDS_MS.length && nanosSincePlaced > BOUNDS_MS[i] * 1_000_000) {
      i++;
    }
    buckets.incrementAndGet(i);
  }

  /** Prometheus text format. */
  String text() {
    StringBuilder out = new StringBuilder(4096)
        .append("orderflow_orders_accepted_total ").append(accepted.sum()).append('\n')
        .append("orderflow_orders_rejected_total{status=\"400\"} ").append(malformed.sum()).append('\n')
        .append("orderflow_orders_rejected_total{status=\"503\"} ").append(unavailable.sum()).append('\n')
        .append("orderflow_saga_outcomes_total{status=\"SHIPPED\",reason=\"\"} ").append(done.sum()).append('\n');
    long cumulative = 0;
    for (int i = 0; i <= BOUNDS_MS.length; i++) {
      cumulative += buckets.get(i);
      String le = i < BOUNDS_MS.length ? Double.toString(BOUNDS_MS[i] / 1000.0) : "+Inf";
      out.append("orderflow_saga_duration_seconds_bucket{status=\"SHIPPED\",le=\"").append(le).append("\"} ")
          .append(cumulative).append('\n');
    }
    return out.append("orderflow_saga_duration_seconds_count{status=\"SHIPPED\"} ").append(cumulative).append('\n')
        .append("orderflow_saga_duration_seconds_sum{status=\"SHIPPED\"} ").append(sumNanos.sum() / 1e9).append('\n')
        .toString();
  }
}
