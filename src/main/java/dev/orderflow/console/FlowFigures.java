package dev.orderflow.console;

import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.operate.TopologyFigures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live flow, one tick at a time: from the cluster's consumer and stream counts and this process's meters, what
 * every console shows (rates, orders waiting at each step and passed in the last minute, lag, breakers, dead
 * letters) and a point of the chart. Plain Java, driven by a test; one instance serves every console.
 *
 * <p>Orders waiting at a step are the backlog of the consumers that take them out of it (those of the event that
 * put them there), and the increase of those consumers' acknowledgement floor is how many passed. Shipped orders are
 * the shipping stream's message count; cancellations and accepted orders are this process's meters.
 */
final class FlowFigures {

  static final Duration WINDOW = Duration.ofMinutes(1);
  /** Five minutes at one point a second. */
  static final int CHART_POINTS = 300;

  /** A step where orders wait: its name, their status there, and the event whose consumers move them on. */
  record Step(String name, String status, EventType<?> leavesWith) {}

  static final List<Step> STEPS = List.of(
      new Step("placed", "PENDING", Topology.ORDER_PLACED),
      new Step("reserved", "RESERVED", Topology.STOCK_RESERVED),
      new Step("paid", "PAID", Topology.PAYMENT_AUTHORIZED),
      new Step("confirmed", "CONFIRMED", Topology.ORDER_CONFIRMED));

  /** What one tick produced: the snapshot sent to every console, and the chart's new point. */
  record Tick(JsonObject snapshot, JsonArray point) {}

  private record Sample(long nanos, Map<String, Double> totals) {}

  private final Deque<Sample> window = new ArrayDeque<>();
  private final Deque<JsonArray> chart = new ArrayDeque<>();

  /** Forgets the past (after a pause with nobody watching): rates and the chart start afresh. */
  void reset() {
    window.clear();
    chart.clear();
  }

  /** The chart's points, oldest first: {@code [epochSeconds, accepted/s, completed/s, waiting, deadLetters]}. */
  JsonArray chart() {
    return new JsonArray(List.copyOf(chart));
  }

  /**
   * One tick at {@code now} ({@code nanos} from a monotonic clock); {@code cluster} is null when the broker did not
   * answer ({@code clusterError} says why).
   */
  Tick next(Instant now, long nanos, TopologyFigures.Figures cluster, String clusterError,
      MeterReadings.Reading process) {
    Map<String, Double> totals = totals(cluster, process);
    Sample previous = window.peekLast();
    Sample current = new Sample(nanos, totals);
    window.addLast(current);
    while (window.size() > 2 && nanos - window.peekFirst().nanos() > WINDOW.toNanos()) {
      window.removeFirst();
    }
    Double accepted = rate(previous, current, "accepted");
    Double completed = completedRate(previous, current);
    JsonObject snapshot = new JsonObject()
        .put("at", now.toString())
        .put("cluster", cluster != null)
        .put("acceptedPerSecond", round(accepted))
        .put("completedPerSecond", round(completed));
    if (cluster == null) {
      snapshot.put("clusterError", clusterError);
    }
    JsonArray steps = new JsonArray();
    long waiting = 0;
    for (Step step : STEPS) {
      Long backlog = cluster == null ? null
          : cluster.takers(step.leavesWith()).stream().mapToLong(TopologyFigures.Consumer::backlog).sum();
      waiting += backlog == null ? 0 : backlog;
      steps.add(new JsonObject().put("step", step.name()).put("status", step.status()).put("waiting", backlog)
          .put("passedLastMinute", passed("step:" + step.name())).put("source", "cluster"));
    }
    steps.add(new JsonObject().put("step", "shipped").put("status", "SHIPPED").put("total", total(totals, "shipped"))
        .put("passedLastMinute", passed("shipped")).put("source", "cluster"));
    process.cancelled().keySet().forEach(reason -> steps.add(new JsonObject().put("step", "cancelled")
        .put("status", "CANCELLED").put("reason", reason).put("total", total(totals, "cancelled:" + reason))
        .put("passedLastMinute", passed("cancelled:" + reason)).put("source", "process")));
    snapshot.put("steps", steps);
    snapshot.put("consumers", consumers(cluster));
    JsonArray breakers = new JsonArray();
    process.breakers().forEach((name, state) -> breakers.add(new JsonObject().put("name", name).put("state", state)));
    snapshot.put("breakers", breakers);
    Long deadLetters = cluster == null ? null : cluster.deadLetters();
    snapshot.put("deadLetters", deadLetters);
    snapshot.put("deadLetterSequence", cluster == null ? null : cluster.deadLetterSequence());
    JsonArray point = new JsonArray().add(now.getEpochSecond()).add(round(accepted)).add(round(completed))
        .add(cluster == null ? null : waiting).add(deadLetters);
    chart.addLast(point);
    while (chart.size() > CHART_POINTS) {
      chart.removeFirst();
    }
    snapshot.put("point", point);
    return new Tick(snapshot, point);
  }

  private static Map<String, Double> totals(TopologyFigures.Figures cluster, MeterReadings.Reading process) {
    Map<String, Double> totals = new HashMap<>();
    totals.put("accepted", process.accepted());
    process.cancelled().forEach((reason, count) -> totals.put("cancelled:" + reason, count));
    if (cluster != null) {
      for (Step step : STEPS) {
        totals.put("step:" + step.name(), (double) cluster.takers(step.leavesWith()).stream()
            .mapToLong(TopologyFigures.Consumer::acknowledged).sum());
      }
      long shipped = cluster.stored(Topology.SHIPMENT_SCHEDULED);
      totals.put("shipped", shipped >= 0 ? shipped : process.shipped());
    }
    return totals;
  }

  private static JsonArray consumers(TopologyFigures.Figures cluster) {
    JsonArray consumers = new JsonArray();
    if (cluster != null) {
      for (TopologyFigures.Consumer consumer : cluster.consumers()) {
        consumers.add(new JsonObject().put("consumer", consumer.durable()).put("stream", consumer.stream())
            .put("events", new JsonArray(consumer.events().stream().map(EventType::name).toList()))
            .put("pending", consumer.pending()).put("ackPending", consumer.ackPending())
            .put("redelivered", consumer.redelivered()));
      }
    }
    return consumers;
  }

  /** How much {@code key} grew over the window (never below zero: a stream that expires messages shrinks). */
  private Long passed(String key) {
    Double latest = window.peekLast().totals().get(key);
    if (latest == null) {
      return null;
    }
    for (Sample sample : window) {
      Double then = sample.totals().get(key);
      if (then != null) {
        return Math.max(0, Math.round(latest - then));
      }
    }
    return null;
  }

  private static Double rate(Sample previous, Sample current, String key) {
    if (previous == null || current.nanos() <= previous.nanos()) {
      return null;
    }
    Double before = previous.totals().get(key);
    Double now = current.totals().get(key);
    if (before == null || now == null) {
      return null;
    }
    return Math.max(0, now - before) * 1e9 / (current.nanos() - previous.nanos());
  }

  private static Double completedRate(Sample previous, Sample current) {
    Double sum = null;
    for (String key : current.totals().keySet()) {
      if (key.equals("shipped") || key.startsWith("cancelled:")) {
        Double rate = rate(previous, current, key);
        if (rate != null) {
          sum = (sum == null ? 0 : sum) + rate;
        }
      }
    }
    return sum;
  }

  private static Long total(Map<String, Double> totals, String key) {
    Double value = totals.get(key);
    return value == null ? null : Math.round(value);
  }

  private static Double round(Double value) {
    return value == null ? null : Math.round(value * 10) / 10.0;
  }
}
