package dev.orderflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.operate.TopologyFigures;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The live flow's figures")
class FlowFiguresTest {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final long SECOND = 1_000_000_000L;

  private final FlowFigures figures = new FlowFigures();

  @Test
  @DisplayName("count the orders waiting at a step as the backlog of the consumers that take them out of it")
  void waiting() {
    JsonObject snapshot = tick(0, cluster(3, 2, 0, 0), process(0, 0)).snapshot();
    assertThat(step(snapshot, "placed").getLong("waiting")).isEqualTo(5);
    assertThat(step(snapshot, "reserved").getLong("waiting")).isZero();
    assertThat(snapshot.getLong("deadLetters")).isEqualTo(1);
    assertThat(snapshot.getLong("deadLetterSequence")).isEqualTo(9);
    assertThat(snapshot.getJsonArray("consumers").getJsonObject(0).getString("consumer")).isEqualTo("inventory-orders");
  }

  @Test
  @DisplayName("count orders passed in the last minute by acknowledgements, and rates per second between ticks")
  void passedAndRates() {
    tick(0, cluster(0, 0, 100, 4), process(10, 1));
    JsonObject snapshot = tick(SECOND, cluster(0, 0, 110, 6), process(15, 2)).snapshot();
    assertThat(step(snapshot, "placed").getLong("passedLastMinute")).isEqualTo(10);
    assertThat(step(snapshot, "shipped").getLong("total")).isEqualTo(6);
    assertThat(step(snapshot, "shipped").getLong("passedLastMinute")).isEqualTo(2);
    assertThat(snapshot.getDouble("acceptedPerSecond")).isEqualTo(5.0);
    assertThat(snapshot.getDouble("completedPerSecond")).isEqualTo(3.0); // 2 shipped + 1 cancelled
    assertThat(snapshot.getJsonArray("point")).containsExactly(T0.getEpochSecond() + 1, 5.0, 3.0, 0L, 1L);
  }

  @Test
  @DisplayName("forget what is older than a minute")
  void window() {
    tick(0, cluster(0, 0, 0, 0), process(0, 0));
    tick(30 * SECOND, cluster(0, 0, 50, 0), process(0, 0));
    JsonObject snapshot = tick(90 * SECOND, cluster(0, 0, 60, 0), process(0, 0)).snapshot();
    assertThat(step(snapshot, "placed").getLong("passedLastMinute")).isEqualTo(10);
  }

  @Test
  @DisplayName("say when the broker did not answer, and keep what this process counts")
  void withoutCluster() {
    tick(0, null, process(1, 0));
    JsonObject snapshot = tick(SECOND, null, process(3, 0)).snapshot();
    assertThat(snapshot.getBoolean("cluster")).isFalse();
    assertThat(snapshot.getString("clusterError")).isEqualTo("no answer");
    assertThat(step(snapshot, "placed").getValue("waiting")).isNull();
    assertThat(snapshot.getDouble("acceptedPerSecond")).isEqualTo(2.0);
    assertThat(step(snapshot, "cancelled").getString("reason")).isEqualTo("OUT_OF_STOCK");
  }

  @Test
  @DisplayName("keep five minutes of chart, and start afresh after a pause")
  void chart() {
    for (int i = 0; i < FlowFigures.CHART_POINTS + 20; i++) {
      tick(i * SECOND, cluster(0, 0, i, 0), process(i, 0));
    }
    assertThat(figures.chart().size()).isEqualTo(FlowFigures.CHART_POINTS);
    figures.reset();
    assertThat(figures.chart().size()).isZero();
  }

  private FlowFigures.Tick tick(long nanos, TopologyFigures.Figures cluster, MeterReadings.Reading process) {
    return figures.next(T0.plus(Duration.ofNanos(nanos)), nanos, cluster, cluster == null ? "no answer" : null,
        process);
  }

  /** The cluster with {@code pending}/{@code ackPending} on inventory-orders, its ack floor, and shipped orders. */
  private static TopologyFigures.Figures cluster(long pending, long ackPending, long acknowledged, long shipped) {
    List<TopologyFigures.Consumer> consumers = List.of(
        consumer("inventory-orders", Topology.ORDER_PLACED, pending, ackPending, acknowledged),
        consumer("payments-inventory", Topology.STOCK_RESERVED, 0, 0, 0),
        consumer("shipping-orders", Topology.ORDER_CONFIRMED, 0, 0, 0));
    return new TopologyFigures.Figures(consumers,
        Map.of(Topology.SHIPMENT_SCHEDULED.stream().name(), shipped, "DEADLETTERS", 1L), Map.of("DEADLETTERS", 9L));
  }

  private static TopologyFigures.Consumer consumer(String durable, EventType<?> event, long pending, long ackPending,
      long acknowledged) {
    return new TopologyFigures.Consumer(durable, event.stream().name(), List.of(event), pending, ackPending,
        acknowledged, 0);
  }

  private static MeterReadings.Reading process(double accepted, double outOfStock) {
    return new MeterReadings.Reading(accepted, 0, Map.of("OUT_OF_STOCK", outOfStock),
        Map.of("payment-gateway", "CLOSED"));
  }

  private static JsonObject step(JsonObject snapshot, String name) {
    return snapshot.getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("step").equals(name)).findFirst().orElseThrow();
  }
}
