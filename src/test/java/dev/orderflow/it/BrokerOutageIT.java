package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("While the broker is away")
class BrokerOutageIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("POST /orders answers 503 with Retry-After, never 202; once it is back, orders go through again")
  void refusesUntilBack() throws Exception {
    env.nats().stop();
    try {
      HttpResponse<String> refused = eventually(
          () -> env.app().postJson("/orders", TestOrderflow.order("olga", Map.of("MUG-LOGO", 1))),
          response -> response.statusCode() != 202);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(new JsonObject(refused.body()).getString("type")).endsWith("/broker-unavailable");
      assertThat(env.app().get("/health/ready").statusCode()).isEqualTo(503);
    } finally {
      env.nats().restart();
    }

    eventually(() -> env.app().get("/health/ready").statusCode(), status -> status == 200);
    String orderId = env.app().placeOrder("olga", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");
  }
}
