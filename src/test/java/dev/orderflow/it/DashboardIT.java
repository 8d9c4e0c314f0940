package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.Prometheus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The Grafana dashboard")
class DashboardIT {

  private static final Path DASHBOARD = Path.of("deploy/grafana/orderflow-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:orderflow|vertx|jvm|process|system)_[a-z0-9_]+)\\b");

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("queries only metrics that GET /metrics serves")
  void everyQueriedMetricExists() throws Exception {
    Set<String> queried = new TreeSet<>();
    Matcher matcher = METRIC.matcher(Files.readString(DASHBOARD));
    while (matcher.find()) {
      queried.add(matcher.group(1));
    }
    new JsonObject(Files.readString(DASHBOARD)); // and it is valid JSON
    assertThat(queried).contains("orderflow_orders_accepted_total", "orderflow_order_latency_seconds_bucket",
        "orderflow_consumer_pending", "orderflow_circuit_breaker_state", "orderflow_dead_letters_total");

    String orderId = env.app().placeOrder("wes", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");
    env.nats().connection().jetStream().publish("orders.placed.not-an-event", new byte[] {1, 2, 3});
    Prometheus metrics = eventually(() -> Prometheus.parse(env.app().metrics()),
        m -> m.has("orderflow_dead_letters_total"));

    for (String series : queried) {
      assertThat(metrics.has(series)).as("the dashboard queries %s", series).isTrue();
    }
  }
}
