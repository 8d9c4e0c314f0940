package dev.orderflow.it;

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

@DisplayName("POST /orders with an Idempotency-Key")
class IdempotencyIT {

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
  @DisplayName("returns the same order for the same key and body, placing and charging it once")
  void sameKeySameBody() throws Exception {
    JsonObject body = TestOrderflow.order("dave", Map.of("MUG-LOGO", 2));
    HttpResponse<String> first = orderflow.postJson("/orders", body, "Idempotency-Key", "dave-cart-1");
    HttpResponse<String> second = orderflow.postJson("/orders", body, "Idempotency-Key", "dave-cart-1");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(202);
    String orderId = new JsonObject(first.body()).getString("orderId");
    assertThat(new JsonObject(second.body()).getString("orderId")).isEqualTo(orderId);
    assertThat(second.headers().firstValue("Location")).contains("/orders/" + orderId);

    orderflow.awaitStatus(orderId, "SHIPPED");
    assertThat(nats.messages("ORDERS", "orders.placed")).filteredOn(m -> m.getData().length > 0
        && new String(m.getData(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(orderId)).hasSize(1);
    assertThat(orderflow.charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("refuses the same key with a different body (422) and places nothing for it")
  void sameKeyOtherBody() throws Exception {
    orderflow.postJson("/orders", TestOrderflow.order("erin", Map.of("MUG-LOGO", 1)), "Idempotency-Key", "erin-1");
    int placed = nats.messages("ORDERS", "orders.placed").size();

    HttpResponse<String> reused = orderflow.postJson("/orders", TestOrderflow.order("erin", Map.of("MUG-LOGO", 5)),
        "Idempotency-Key", "erin-1");

    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(reused.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(new JsonObject(reused.body()).getString("type")).endsWith("/idempotency-key-reused");
    assertThat(nats.messages("ORDERS", "orders.placed").size()).isEqualTo(placed);
  }

  @Test
  @DisplayName("gives different keys different orders")
  void differentKeys() throws Exception {
    JsonObject body = TestOrderflow.order("frank", Map.of("MUG-LOGO", 1));
    String a = new JsonObject(orderflow.postJson("/orders", body, "Idempotency-Key", "f-1").body()).getString("orderId");
    String b = new JsonObject(orderflow.postJson("/orders", body, "Idempotency-Key", "f-2").body()).getString("orderId");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  @DisplayName("refuses a key that is too long or has control characters (400)")
  void invalidKey() throws Exception {
    JsonObject body = TestOrderflow.order("gina", Map.of("MUG-LOGO", 1));
    HttpResponse<String> response = orderflow.postJson("/orders", body, "Idempotency-Key", "k".repeat(300));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("type")).endsWith("/invalid-idempotency-key");
  }
}
