package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.Prometheus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("GET /metrics")
class MetricsIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("moves the counters and histograms by exactly what happened, on every path")
  void countsWhatHappened() throws Exception {
    Prometheus before = Prometheus.parse(env.app().metrics());

    String shipped = env.app().placeOrder("sam", Map.of("MUG-LOGO", 1));
    String outOfStock = env.app().placeOrder("tia", Map.of("VINYL-SOLD-OUT", 1));
    String declined = env.app().placeOrder("decline-uma", Map.of("MUG-LOGO", 2));
    assertThat(env.app().post("/orders", "application/json", "{\"customerId\":\"x\",\"items\":[]}").statusCode())
        .isEqualTo(422);
    // Refused before any route of its own runs (no token): counted all the same.
    assertThat(env.app().post("/orders", "application/json", "{\"customerId\":\"x\",\"items\":[]}",
        "Authorization", "").statusCode()).isEqualTo(401);
    env.nats().connection().jetStream().publish("orders.placed.garbage", "garbage".getBytes(StandardCharsets.UTF_8));
    env.app().awaitStatus(shipped, "SHIPPED");
    env.app().awaitStatus(outOfStock, "CANCELLED");
    env.app().awaitStatus(declined, "CANCELLED");

    Prometheus after = eventually(() -> Prometheus.parse(env.app().metrics()),
        metrics -> metrics.sum("orderflow_dead_letters_total") - before.sum("orderflow_dead_letters_total") == 1
            && delta(before, metrics, "orderflow_saga_outcomes_total") == 3
            && delta(before, metrics, "orderflow_handler_duration_seconds_count", "consumer", "inventory-payments")
                == 1);

    assertThat(delta(before, after, "orderflow_orders_accepted_total")).isEqualTo(3);
    assertThat(delta(before, after, "orderflow_orders_rejected_total", "status", "422")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_orders_rejected_total", "status", "401")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_saga_outcomes_total", "status", "SHIPPED")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_saga_outcomes_total", "reason", "OUT_OF_STOCK")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_saga_outcomes_total", "reason", "PAYMENT_DECLINED")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_saga_outcomes_total", "reason", "PAYMENT_FAILED")).isZero();
    // Only the shipped order was confirmed: one placed → confirmed latency, in the +Inf bucket and below.
    assertThat(delta(before, after, "orderflow_order_latency_seconds_count")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_order_latency_seconds_bucket", "le", "+Inf")).isEqualTo(1);
    // Every order that ended has its placed → terminal time, by status.
    assertThat(delta(before, after, "orderflow_saga_duration_seconds_count", "status", "SHIPPED")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_saga_duration_seconds_count", "status", "CANCELLED")).isEqualTo(2);

    assertThat(delta(before, after, "orderflow_handler_duration_seconds_count",
        "consumer", "inventory-orders", "event", "OrderPlaced", "outcome", "ack")).isEqualTo(3);
    assertThat(delta(before, after, "orderflow_handler_duration_seconds_count",
        "consumer", "inventory-orders", "outcome", "term")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_handler_duration_seconds_count",
        "consumer", "payments-inventory", "outcome", "ack")).isEqualTo(2);
    assertThat(delta(before, after, "orderflow_dead_letters_total", "consumer", "inventory-orders")).isEqualTo(1);
    assertThat(delta(before, after, "orderflow_publish_duration_seconds_count",
        "event", "OrderPlaced", "outcome", "ok")).isEqualTo(3);
    assertThat(delta(before, after, "orderflow_publish_duration_seconds_count", "event", "StockReleased"))
        .isEqualTo(1);

    assertThat(after.sum("orderflow_circuit_breaker_state", "name", "payment-gateway")).isZero();
    Prometheus idle = eventually(() -> Prometheus.parse(env.app().metrics()),
        metrics -> metrics.has("orderflow_consumer_pending")
            && metrics.sum("orderflow_consumer_pending") == 0 && metrics.sum("orderflow_consumer_ack_pending") == 0);
    assertThat(idle.has("vertx_http_server_requests_total")).isTrue();
    assertThat(idle.has("jvm_memory_used_bytes")).isTrue();
  }

  private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }
}
