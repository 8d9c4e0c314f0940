package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.PrometheusServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard against a real Prometheus (Debian's package, through bin/ensure-prometheus) scraping Orderflow with
 * the project's scrape configuration: every query of every panel returns data.
 */
@DisplayName("The Grafana dashboard on a real Prometheus")
class PrometheusDashboardIT {

  private static final Path SCRAPE_CONFIG = Path.of("deploy/prometheus/prometheus.yml");
  private static final Path DASHBOARD = Path.of("deploy/grafana/orderflow-dashboard.json");
  /** What Grafana puts for $__rate_interval: at least four scrape intervals (5 s here). */
  private static final String RATE_INTERVAL = "1m";
  private static final Duration SCRAPES = Duration.ofSeconds(60);

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  private static PrometheusServer prometheus;

  @BeforeAll
  static void startPrometheus() throws Exception {
    String config = Files.readString(SCRAPE_CONFIG);
    assertThat(config).as("the scrape target to point at the test's Orderflow").contains("127.0.0.1:8080");
    prometheus = PrometheusServer.start(config.replace("127.0.0.1:8080", "127.0.0.1:" + env.app().httpPort()));
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  @DisplayName("answers every query with data once orders flow, the dead-letter and breaker panels before any")
  void everyQueryReturnsData() throws Exception {
    Map<String, String> queries = dashboardQueries();
    assertThat(queries).isNotEmpty();

    // Two scrapes at least, so that increase() and rate() have two samples to compare.
    eventually(SCRAPES, () -> prometheus.query("count_over_time(up{job=\"orderflow\"}[1m]) >= 2"),
        result -> !result.isEmpty());
    // Before the first order: the series that only an incident moves must already be there, at zero.
    for (Map.Entry<String, String> query : queries.entrySet()) {
      if (query.getKey().startsWith("Dead letters") || query.getKey().startsWith("Payment gateway circuit breaker")) {
        assertThat(values(prometheus.query(query.getValue()))).as(query.getKey() + ": " + query.getValue())
            .isNotEmpty().allMatch(value -> value == 0);
      }
    }

    ScheduledExecutorService shop = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger placed = new AtomicInteger();
    shop.scheduleAtFixedRate(() -> placeOrder(placed.getAndIncrement()), 0, 100, TimeUnit.MILLISECONDS);
    try {
      List<String> empty = eventually(SCRAPES, () -> withoutData(queries), List::isEmpty);
      assertThat(empty).isEmpty();
    } catch (AssertionError e) {
      throw new AssertionError("queries of the dashboard without data after " + placed.get() + " orders: "
          + withoutData(queries), e);
    } finally {
      shop.shutdownNow();
      shop.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Every panel's queries, by "panel title #n", with Grafana's $__rate_interval as Grafana would set it. */
  private static Map<String, String> dashboardQueries() throws Exception {
    Map<String, String> queries = new LinkedHashMap<>();
    JsonArray panels = new JsonObject(Files.readString(DASHBOARD)).getJsonArray("panels");
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int t = 0; t < targets.size(); t++) {
        queries.put(panel.getString("title") + " #" + (t + 1),
            targets.getJsonObject(t).getString("expr").replace("$__rate_interval", RATE_INTERVAL));
      }
    }
    return queries;
  }

  /** The queries whose answer has no sample with a number (an empty vector, or only NaN). */
  private static List<String> withoutData(Map<String, String> queries) throws Exception {
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, String> query : queries.entrySet()) {
      if (values(prometheus.query(query.getValue())).stream().allMatch(value -> value.isNaN())) {
        empty.add(query.getKey() + ": " + query.getValue());
      }
    }
    return empty;
  }

  private static List<Double> values(JsonArray result) {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < result.size(); i++) {
      values.add(Double.parseDouble(result.getJsonObject(i).getJsonArray("value").getString(1)));
    }
    return values;
  }

  /** Mostly shipped orders, some sold out and some declined, so that every outcome has a series. */
  private static void placeOrder(int n) {
    try {
      String customer = n % 5 == 4 ? "decline-" + n : "shopper-" + n;
      String sku = n % 7 == 6 ? "VINYL-SOLD-OUT" : "MUG-LOGO";
      env.app().placeOrder(customer, Map.of(sku, 1));
    } catch (Exception e) {
      // counted by Orderflow's own metrics; the query checks say whether anything is missing
    }
  }
}
