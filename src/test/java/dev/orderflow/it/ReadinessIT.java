package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("GET /health/ready")
class ReadinessIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("turns unready while nats-server is down, and ready again by itself once it is back")
  void brokerDown() throws Exception {
    eventually(() -> env.app().get("/health/ready").statusCode(), status -> status == 200);
    env.nats().stop();
    try {
      HttpResponse<String> down = eventually(() -> env.app().get("/health/ready"), r -> r.statusCode() == 503);
      assertThat(new JsonObject(down.body()).getString("outcome")).isEqualTo("DOWN");
      assertThat(env.app().get("/health/live").statusCode()).isEqualTo(200);
    } finally {
      env.nats().restart();
    }
    eventually(() -> env.app().get("/health/ready").statusCode(), status -> status == 200);
  }

  @Test
  @DisplayName("turns unready when a consumer goes missing, restores it by itself, and the flow goes on")
  void consumerMissing() throws Exception {
    eventually(() -> env.app().get("/health/ready").statusCode(), status -> status == 200);
    env.nats().management().deleteConsumer("ORDERS", "shipping-orders");

    HttpResponse<String> down = eventually(() -> env.app().get("/health/ready"), r -> r.statusCode() == 503);
    assertThat(down.body()).contains("consumer shipping-orders");

    eventually(() -> env.app().get("/health/ready").statusCode(), status -> status == 200);
    String orderId = env.app().placeOrder("vic", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");
  }
}
