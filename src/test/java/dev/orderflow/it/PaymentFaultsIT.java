package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Payments, when the gateway misbehaves")
class PaymentFaultsIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @AfterEach
  void healGateway() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 0).put("errorRate", 0.0).put("outage", false));
    eventually(() -> env.nats().idle("INVENTORY", "payments-inventory"), idle -> idle);
  }

  @Test
  @DisplayName("retries while the gateway errors, and charges once when it recovers")
  void recovers() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("errorRate", 1.0));
    String orderId = env.app().placeOrder("lena", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "RESERVED");
    // Redelivered with backoff: wait for a second delivery before healing the gateway.
    eventually(() -> env.nats().management().getConsumerInfo("INVENTORY", "payments-inventory").getRedelivered(),
        redelivered -> redelivered > 0);

    env.app().gatewayFaults(new JsonObject().put("errorRate", 0.0));

    env.app().awaitStatus(orderId, "SHIPPED");
    assertThat(env.app().charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("charges once when the gateway's answer is lost in a timeout and the retry reuses the idempotency key")
  void lostAnswer() throws Exception {
    // Slower than the client's 1 s deadline: the charge is made, the answer never arrives in time.
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 1500));
    String orderId = env.app().placeOrder("milo", Map.of("MUG-LOGO", 1));
    eventually(() -> env.app().charges(orderId), charges -> !charges.isEmpty());

    env.app().gatewayFaults(new JsonObject().put("latencyMs", 0));

    env.app().awaitStatus(orderId, "SHIPPED");
    assertThat(env.app().charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("keeps a charge whose answer is lost on every try: found in the gateway's log, never cancelled")
  void answerLostEveryTime() throws Exception {
    // Every answer comes after the client's 1 s deadline, through the last allowed delivery.
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 1500));
    String orderId = env.app().placeOrder("ola", Map.of("MUG-LOGO", 1));

    JsonObject shipped = env.app().awaitStatus(orderId, "SHIPPED");

    assertThat(shipped.getString("cancellationReason")).isNull();
    assertThat(env.app().charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("cancels as PAYMENT_FAILED after the last retry of a gateway outage, and releases the stock")
  void outage() throws Exception {
    JsonObject before = env.app().stock("POSTER-A2");
    env.app().gatewayFaults(new JsonObject().put("outage", true));

    String orderId = env.app().placeOrder("nora", Map.of("POSTER-A2", 2));
    JsonObject cancelled = env.app().awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("PAYMENT_FAILED");
    assertThat(env.app().charges(orderId)).isEmpty();
    eventually(() -> env.app().stock("POSTER-A2"), stock -> stock.equals(before));
  }
}
