package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The order saga, over HTTP on a real nats-server")
class SagaIT {

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
  @DisplayName("takes an order through PENDING, RESERVED, PAID, CONFIRMED to SHIPPED, charging the catalogue price once")
  void happyPath() throws Exception {
    JsonObject before = orderflow.stock("TSHIRT-RED-M");
    Map<String, Integer> items = new LinkedHashMap<>();
    items.put("TSHIRT-RED-M", 2);
    items.put("MUG-LOGO", 1);

    String orderId = orderflow.placeOrder("alice", items);
    JsonObject shipped = orderflow.awaitStatus(orderId, "SHIPPED");

    JsonArray transitions = shipped.getJsonArray("transitions");
    assertThat(transitions.stream().map(t -> ((JsonObject) t).getString("status")).toList())
        .containsExactly("PENDING", "RESERVED", "PAID", "CONFIRMED", "SHIPPED");
    List<Instant> times = transitions.stream().map(t -> Instant.parse(((JsonObject) t).getString("at"))).toList();
    assertThat(times).isSorted();
    long total = 2 * 1999 + 1250;
    assertThat(shipped.getJsonObject("total")).isEqualTo(new JsonObject().put("amountMinor", total).put("currency", "EUR"));

    JsonArray charges = orderflow.charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.getJsonObject(0).getString("status")).isEqualTo("AUTHORIZED");
    assertThat(charges.getJsonObject(0).getLong("amountMinor")).isEqualTo(total);

    JsonObject after = orderflow.stock("TSHIRT-RED-M");
    assertThat(after.getLong("available")).isEqualTo(before.getLong("available") - 2);
    assertThat(after.getLong("reserved")).isEqualTo(before.getLong("reserved") + 2);
  }

  @Test
  @DisplayName("cancels an order with a line out of stock as OUT_OF_STOCK, charging nothing and holding no stock")
  void outOfStock() throws Exception {
    JsonObject mugsBefore = orderflow.stock("MUG-LOGO");
    Map<String, Integer> items = new LinkedHashMap<>();
    items.put("MUG-LOGO", 2);
    items.put("VINYL-SOLD-OUT", 1);

    String orderId = orderflow.placeOrder("bob", items);
    JsonObject cancelled = orderflow.awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("OUT_OF_STOCK");
    assertThat(orderflow.charges(orderId)).isEmpty();
    // The mugs were reserved before the vinyl fell short, and given back before the rejection was announced.
    assertThat(orderflow.stock("MUG-LOGO")).isEqualTo(mugsBefore);
    assertThat(orderflow.stock("VINYL-SOLD-OUT").getLong("available")).isZero();
  }

  @Test
  @DisplayName("cancels a declined payment as PAYMENT_DECLINED and releases the reserved stock exactly once")
  void declined() throws Exception {
    JsonObject before = orderflow.stock("POSTER-A2");

    String orderId = orderflow.placeOrder("decline-carol", Map.of("POSTER-A2", 3));
    JsonObject cancelled = orderflow.awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("PAYMENT_DECLINED");
    assertThat(cancelled.getJsonArray("transitions").stream().map(t -> ((JsonObject) t).getString("status")).toList())
        .containsExactly("PENDING", "RESERVED", "CANCELLED");
    JsonArray charges = orderflow.charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.getJsonObject(0).getString("status")).isEqualTo("DECLINED");

    // The release runs on inventory's own consumer: wait for it to finish everything, then look.
    eventually(() -> nats.idle("PAYMENTS", "inventory-payments"), idle -> idle);
    assertThat(orderflow.stock("POSTER-A2")).isEqualTo(before);
    assertThat(nats.messages("INVENTORY", "inventory.stock-released").stream()
        .filter(m -> new String(m.getData(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(orderId)))
        .hasSize(1);
  }
}
