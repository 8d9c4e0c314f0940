package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("POST /orders with an Idempotency-Key")
class IdempotencyIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("returns the same order for the same key and body, placing and charging it once")
  void sameKeySameBody() throws Exception {
    JsonObject body = TestOrderflow.order("dave", Map.of("MUG-LOGO", 2));
    HttpResponse<String> first = env.app().postJson("/orders", body, "Idempotency-Key", "dave-cart-1");
    HttpResponse<String> second = env.app().postJson("/orders", body, "Idempotency-Key", "dave-cart-1");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(202);
    String orderId = new JsonObject(first.body()).getString("orderId");
    assertThat(new JsonObject(second.body()).getString("orderId")).isEqualTo(orderId);
    assertThat(second.headers().firstValue("Location")).contains("/orders/" + orderId);

    env.app().awaitStatus(orderId, "SHIPPED");
    assertThat(env.nats().messages("ORDERS", "orders.placed.*")).filteredOn(m -> m.getData().length > 0
        && new String(m.getData(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(orderId)).hasSize(1);
    assertThat(env.app().charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("refuses the same key with a different body (422) and places nothing for it")
  void sameKeyOtherBody() throws Exception {
    env.app().postJson("/orders", TestOrderflow.order("erin", Map.of("MUG-LOGO", 1)), "Idempotency-Key", "erin-1");
    int placed = env.nats().messages("ORDERS", "orders.placed.*").size();

    HttpResponse<String> reused = env.app().postJson("/orders", TestOrderflow.order("erin", Map.of("MUG-LOGO", 5)),
        "Idempotency-Key", "erin-1");

    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(reused.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(new JsonObject(reused.body()).getString("type")).endsWith("/idempotency-key-reused");
    assertThat(env.nats().messages("ORDERS", "orders.placed.*").size()).isEqualTo(placed);
  }

  @Test
  @DisplayName("gives different keys different orders")
  void differentKeys() throws Exception {
    JsonObject body = TestOrderflow.order("frank", Map.of("MUG-LOGO", 1));
    HttpResponse<String> a = env.app().postJson("/orders", body, "Idempotency-Key", "f-1");
    HttpResponse<String> b = env.app().postJson("/orders", body, "Idempotency-Key", "f-2");
    assertThat(new JsonObject(a.body()).getString("orderId"))
        .isNotEqualTo(new JsonObject(b.body()).getString("orderId"));
  }

  @Test
  @DisplayName("scopes keys to the customer: another customer's key is neither revealed nor blocking, and an "
      + "operator ordering for a customer uses that customer's")
  void keysPerCustomer() throws Exception {
    JsonObject hers = TestOrderflow.order("hana", Map.of("MUG-LOGO", 1));
    JsonObject his = TestOrderflow.order("ivan", Map.of("MUG-LOGO", 3));
    // Ivan uses the key first: Hana's order with the same key must not be blocked (it was a 422).
    HttpResponse<String> ivan = env.app().postJson("/orders", his, "Idempotency-Key", "cart-42");
    HttpResponse<String> hana = env.app().postJson("/orders", hers, "Idempotency-Key", "cart-42");
    assertThat(ivan.statusCode()).isEqualTo(202);
    assertThat(hana.statusCode()).as(hana.body()).isEqualTo(202);
    String hanaOrder = new JsonObject(hana.body()).getString("orderId");
    assertThat(hanaOrder).isNotEqualTo(new JsonObject(ivan.body()).getString("orderId"));
    // Retried, each gets their own order back.
    assertThat(new JsonObject(env.app().postJson("/orders", his, "Idempotency-Key", "cart-42").body())
        .getString("orderId")).isEqualTo(new JsonObject(ivan.body()).getString("orderId"));
    // An operator placing Hana's order with her key is her retry, not a new order.
    HttpResponse<String> operator = env.app().postJson("/orders", hers, "Idempotency-Key", "cart-42",
        "Authorization", "Bearer " + env.app().token("desk-operator", true));
    assertThat(new JsonObject(operator.body()).getString("orderId")).isEqualTo(hanaOrder);
  }

  @Test
  @DisplayName("refuses a key that is too long or has control characters (400)")
  void invalidKey() throws Exception {
    JsonObject body = TestOrderflow.order("gina", Map.of("MUG-LOGO", 1));
    HttpResponse<String> response = env.app().postJson("/orders", body, "Idempotency-Key", "k".repeat(300));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("type")).endsWith("/invalid-idempotency-key");
  }
}
