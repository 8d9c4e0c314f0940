package dev.orderflow.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this process's own meters say (the README's metrics table names them): orders accepted, sagas ended by
 * status and reason, and the circuit breakers' states. The console uses them where the broker keeps no count.
 */
final class MeterReadings {

  static final String ACCEPTED = "orderflow.orders.accepted";
  static final String OUTCOMES = "orderflow.saga.outcomes";
  static final String BREAKER_STATE = "orderflow.circuit.breaker.state";

  /** One reading: cumulative counts, and each breaker's state by name. */
  record Reading(double accepted, double shipped, Map<String, Double> cancelled, Map<String, String> breakers) {}

  private final MeterRegistry registry;

  MeterReadings(MeterRegistry registry) {
    this.registry = registry;
  }

  Reading read() {
    double accepted = registry.find(ACCEPTED).counters().stream().mapToDouble(Counter::count).sum();
    double shipped = 0;
    Map<String, Double> cancelled = new TreeMap<>();
    for (Counter counter : registry.find(OUTCOMES).counters()) {
      String status = counter.getId().getTag("status");
      if ("SHIPPED".equals(status)) {
        shipped += counter.count();
      } else if ("CANCELLED".equals(status)) {
        cancelled.merge(String.valueOf(counter.getId().getTag("reason")), counter.count(), Double::sum);
      }
    }
    Map<String, String> breakers = new TreeMap<>();
    for (Gauge gauge : registry.find(BREAKER_STATE).gauges()) {
      breakers.put(String.valueOf(gauge.getId().getTag("name")), breakerState(gauge.value()));
    }
    return new Reading(accepted, shipped, cancelled, breakers);
  }

  /** The gauge's 0, 1, 2 as words. */
  private static String breakerState(double value) {
    return switch ((int) Math.round(value)) {
      case 0 -> "CLOSED";
      case 1 -> "HALF_OPEN";
      case 2 -> "OPEN";
      default -> "UNKNOWN";
    };
  }
}
