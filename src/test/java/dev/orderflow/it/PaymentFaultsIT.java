package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Payments, when the gateway misbehaves")
class PaymentFaultsIT {

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

  @AfterEach
  void healGateway() throws Exception {
    orderflow.gatewayFaults(new JsonObject().put("latencyMs", 0).put("errorRate", 0.0).put("outage", false));
    eventually(() -> nats.idle("INVENTORY", "payments-inventory"), idle -> idle);
  }

  @Test
  @DisplayName("retries while the gateway errors, and charges once when it recovers")
  void recovers() throws Exception {
    orderflow.gatewayFaults(new JsonObject().put("errorRate", 1.0));
    String orderId = orderflow.placeOrder("lena", Map.of("MUG-LOGO", 1));
    orderflow.awaitStatus(orderId, "RESERVED");
    // Redelivered with backoff: wait for a second delivery before healing the gateway.
    eventually(() -> nats.management().getConsumerInfo("INVENTORY", "payments-inventory").getRedelivered(),
        redelivered -> redelivered > 0);

    orderflow.gatewayFaults(new JsonObject().put("errorRate", 0.0));

    orderflow.awaitStatus(orderId, "SHIPPED");
    assertThat(orderflow.charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("charges once when the gateway's answer is lost in a timeout and the retry reuses the idempotency key")
  void lostAnswer() throws Exception {
    // Slower than the client's 1 s deadline: the charge is made, the answer never arrives in time.
    orderflow.gatewayFaults(new JsonObject().put("latencyMs", 1500));
    String orderId = orderflow.placeOrder("milo", Map.of("MUG-LOGO", 1));
    eventually(() -> orderflow.charges(orderId), charges -> !charges.isEmpty());

    orderflow.gatewayFaults(new JsonObject().put("latencyMs", 0));

    orderflow.awaitStatus(orderId, "SHIPPED");
    assertThat(orderflow.charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("cancels as PAYMENT_FAILED after the last retry of a gateway outage, and releases the stock")
  void outage() throws Exception {
    JsonObject before = orderflow.stock("POSTER-A2");
    orderflow.gatewayFaults(new JsonObject().put("outage", true));

    String orderId = orderflow.placeOrder("nora", Map.of("POSTER-A2", 2));
    JsonObject cancelled = orderflow.awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("PAYMENT_FAILED");
    assertThat(orderflow.charges(orderId)).isEmpty();
    eventually(() -> orderflow.stock("POSTER-A2"), stock -> stock.equals(before));
  }
}
