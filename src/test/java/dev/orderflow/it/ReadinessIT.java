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

@DisplayName("GET /health/ready")
class ReadinessIT {

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
  @DisplayName("turns unready while nats-server is down, and ready again by itself once it is back")
  void brokerDown() throws Exception {
    eventually(() -> orderflow.get("/health/ready").statusCode(), status -> status == 200);
    nats.stop();
    try {
      HttpResponse<String> down = eventually(() -> orderflow.get("/health/ready"), r -> r.statusCode() == 503);
      assertThat(new JsonObject(down.body()).getString("outcome")).isEqualTo("DOWN");
      assertThat(orderflow.get("/health/live").statusCode()).isEqualTo(200);
    } finally {
      nats.restart();
    }
    eventually(() -> orderflow.get("/health/ready").statusCode(), status -> status == 200);
  }

  @Test
  @DisplayName("turns unready when a consumer goes missing, restores it by itself, and the flow goes on")
  void consumerMissing() throws Exception {
    eventually(() -> orderflow.get("/health/ready").statusCode(), status -> status == 200);
    nats.management().deleteConsumer("ORDERS", "shipping-orders");

    HttpResponse<String> down = eventually(() -> orderflow.get("/health/ready"), r -> r.statusCode() == 503);
    assertThat(down.body()).contains("consumer shipping-orders");

    eventually(() -> orderflow.get("/health/ready").statusCode(), status -> status == 200);
    String orderId = orderflow.placeOrder("vic", Map.of("MUG-LOGO", 1));
    orderflow.awaitStatus(orderId, "SHIPPED");
  }
}
