package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /orders/{id}/cancel} at each stage of the saga, over HTTP on a real nats-server with the real gateway
 * simulator: the order ends CANCELLED with its stock back and any charge refunded, or, once its shipment is decided,
 * the cancellation is refused with 409.
 */
@DisplayName("Cancelling an order")
class CancelIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @AfterEach
  void gatewayWell() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 0).put("outage", false));
  }

  @Test
  @DisplayName("after its payment was charged: refunded once, stock back, CANCELLED CUSTOMER_REQUESTED, never shipped")
  void afterCharge() throws Exception {
    JsonObject before = env.app().stock("MUG-LOGO");
    // The simulator records a charge at once and answers after the latency: the charge is made, its outcome not yet
    // recorded, when the cancellation comes.
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 600));
    String orderId = env.app().placeOrder("alice", Map.of("MUG-LOGO", 2));
    eventually(() -> env.app().charges(orderId), charges -> !charges.isEmpty());

    HttpResponse<String> answer = env.app().cancel(orderId, "alice");

    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject().put("orderId", orderId)
        .put("status", "CANCELLED").put("cancellationReason", "CUSTOMER_REQUESTED"));
    assertThat(answer.headers().firstValue("Location")).hasValue("/orders/" + orderId);
    assertThat(env.app().order(orderId).getString("status")).as("shown at once").isEqualTo("CANCELLED");
    JsonObject view = eventually(() -> env.app().order(orderId), o -> o.containsKey("refund"));
    assertThat(view.getString("cancellationReason")).isEqualTo("CUSTOMER_REQUESTED");
    assertThat(view.getJsonObject("refund").getJsonObject("amount").getLong("amountMinor")).isEqualTo(2 * 1250);
    eventually(() -> env.app().stock("MUG-LOGO"), stock -> stock.equals(before));
    JsonArray charges = env.app().charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.getJsonObject(0).getString("status")).isEqualTo("AUTHORIZED");
    assertThat(charges.getJsonObject(0).getJsonObject("refund")).isNotNull();
    assertNeverShips(orderId);
  }

  @Test
  @DisplayName("after its stock was reserved, through a gateway outage: voided, nothing charged, stock back")
  void reservedDuringOutage() throws Exception {
    JsonObject before = env.app().stock("POSTER-A2");
    env.app().gatewayFaults(new JsonObject().put("outage", true));
    String orderId = env.app().placeOrder("alice", Map.of("POSTER-A2", 1));
    env.app().awaitStatus(orderId, "RESERVED");

    assertThat(env.app().cancel(orderId, "alice").statusCode()).isEqualTo(202);
    env.app().gatewayFaults(new JsonObject().put("outage", false));

    eventually(() -> env.app().stock("POSTER-A2"), stock -> stock.equals(before));
    assertThat(env.app().order(orderId).getString("cancellationReason")).isEqualTo("CUSTOMER_REQUESTED");
    assertThat(env.app().charges(orderId).stream().map(c -> (JsonObject) c)
        .filter(c -> c.getString("status").equals("AUTHORIZED") && !c.containsKey("refund"))).isEmpty();
    assertNeverShips(orderId);
  }

  @Test
  @DisplayName("once it shipped: 409 order-not-cancellable with its status, and nothing refunded")
  void shipped() throws Exception {
    String orderId = env.app().placeOrder("alice", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");

    HttpResponse<String> answer = env.app().cancel(orderId, "alice");

    assertThat(answer.statusCode()).isEqualTo(409);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getString("type")).endsWith("/order-not-cancellable");
    assertThat(problem.getString("orderStatus")).isEqualTo("SHIPPED");
    assertThat(problem.getString("detail")).contains("SHIPPED");
    assertThat(env.app().charges(orderId).getJsonObject(0).containsKey("refund")).isFalse();
    assertThat(env.app().order(orderId).getString("status")).isEqualTo("SHIPPED");
  }

  @Test
  @DisplayName("when the saga cancelled it first: 409, naming the cancellation that stands")
  void cancelledBySaga() throws Exception {
    String orderId = env.app().placeOrder("alice", Map.of("VINYL-SOLD-OUT", 1));
    env.app().awaitStatus(orderId, "CANCELLED");

    HttpResponse<String> answer = env.app().cancel(orderId, "alice");

    assertThat(answer.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(answer.body()).getString("orderStatus")).isEqualTo("CANCELLED");
    assertThat(new JsonObject(answer.body()).getString("detail")).contains("OUT_OF_STOCK");
  }

  @Test
  @DisplayName("twice: one cancellation, both answered 202, refunded once")
  void twice() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 300));
    String orderId = env.app().placeOrder("alice", Map.of("MUG-LOGO", 1));
    eventually(() -> env.app().charges(orderId), charges -> !charges.isEmpty());

    assertThat(env.app().cancel(orderId, "alice").statusCode()).isEqualTo(202);
    assertThat(env.app().cancel(orderId, "alice").statusCode()).isEqualTo(202);

    eventually(() -> env.app().order(orderId), o -> o.containsKey("refund"));
    assertThat(env.nats().messages("ORDERS", "orders.cancelled." + orderId)).hasSize(1);
    awaitIdle();
    assertThat(env.nats().messages("PAYMENTS", "payments.refunded." + orderId)).hasSize(1);
  }

  @Test
  @DisplayName("by an operator: OPERATOR_REQUESTED; another customer's or an unknown order: 404")
  void whoMayCancel() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("outage", true));
    String orderId = env.app().placeOrder("alice", Map.of("MUG-LOGO", 1));

    assertThat(env.app().cancel(orderId, "bob").statusCode()).isEqualTo(404);
    assertThat(env.app().cancel("0b4c7c1e-0000-4000-8000-000000000000", "alice").statusCode()).isEqualTo(404);
    assertThat(env.app().cancel("not..an..id", "alice").statusCode()).isEqualTo(404);
    HttpResponse<String> byOperator = env.app().cancel(orderId, null);

    assertThat(byOperator.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(byOperator.body()).getString("cancellationReason")).isEqualTo("OPERATOR_REQUESTED");
    assertThat(env.app().cancel(orderId, "alice").statusCode()).as("the customer's own, later: it stands cancelled")
        .isEqualTo(409);
  }

  @Test
  @DisplayName("before its stock is reserved (no inventory running): CANCELLED at once; later nothing stays held")
  void beforeReservation() throws Exception {
    try (NatsTestServer nats = NatsTestServer.start();
        TestOrderflow orders = TestOrderflow.start(nats, new JsonObject().put("roles", "orders"))) {
      String orderId = orders.placeOrder("alice", Map.of("POSTER-A2", 2));
      assertThat(orders.order(orderId).getString("status")).isEqualTo("PENDING");

      assertThat(orders.cancel(orderId, "alice").statusCode()).isEqualTo(202);
      assertThat(orders.order(orderId).getString("status")).isEqualTo("CANCELLED");

      try (TestOrderflow rest = TestOrderflow.start(nats,
          new JsonObject().put("roles", "inventory,payments,shipping,gateway"))) {
        long initial = rest.config().catalogue().item("POSTER-A2").orElseThrow().initialStock();
        // The late reservation is made, then released again once the payment is voided (or refunded).
        eventually(() -> nats.messages("INVENTORY", "inventory.stock-released." + orderId),
            released -> !released.isEmpty());
        eventually(() -> rest.stock("POSTER-A2"),
            stock -> stock.getLong("reserved") == 0 && stock.getLong("available") == initial);
        assertThat(rest.charges(orderId).stream().map(c -> (JsonObject) c)
            .filter(c -> c.getString("status").equals("AUTHORIZED") && !c.containsKey("refund"))).isEmpty();
        assertThat(nats.messages("SHIPPING", "shipping.shipment-scheduled." + orderId)).isEmpty();
        assertThat(orders.order(orderId).getString("cancellationReason")).isEqualTo("CUSTOMER_REQUESTED");
      }
    }
  }

  /** Once every consumer is idle, the order has no shipment and no confirmation. */
  private static void assertNeverShips(String orderId) throws Exception {
    awaitIdle();
    assertThat(env.nats().messages("SHIPPING", "shipping.shipment-scheduled." + orderId)).isEmpty();
    assertThat(env.nats().messages("ORDERS", "orders.confirmed." + orderId)).isEmpty();
    assertThat(env.app().order(orderId).getString("status")).isEqualTo("CANCELLED");
  }

  private static void awaitIdle() {
    eventually(() -> env.nats().consumersIdle(), idle -> idle);
  }
}
