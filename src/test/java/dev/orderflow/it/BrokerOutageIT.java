package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("While the broker is away")
class BrokerOutageIT {

  private static NatsTestServer nats;
  private static TestOrderflow orderflow;

  @BeforeAll
  static void start() throws Exception {
    nats = NatsTestServer.start();
    orderflow = TestOrderflow.start(nats);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (orderflow != null) {
        orderflow.close();
      }
    } finally {
      nats.close();
    }
  }

  @Test
  @DisplayName("POST /orders answers 503 with Retry-After, never 202; once it is back, orders are accepted and complete")
  void refusesUntilBack() throws Exception {
    nats.stop();
    try {
      HttpResponse<String> refused = eventually(
          () -> orderflow.postJson("/orders", TestOrderflow.order("olga", Map.of("MUG-LOGO", 1))),
          response -> response.statusCode() != 202);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(new JsonObject(refused.body()).getString("type")).endsWith("/broker-unavailable");
      assertThat(orderflow.get("/health/ready").statusCode()).isEqualTo(503);
    } finally {
      nats.restart();
    }

    eventually(() -> orderflow.get("/health/ready").statusCode(), status -> status == 200);
    String orderId = orderflow.placeOrder("olga", Map.of("MUG-LOGO", 1));
    orderflow.awaitStatus(orderId, "SHIPPED");
  }
}
