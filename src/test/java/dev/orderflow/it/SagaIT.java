package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The order saga, over HTTP on a real nats-server")
class SagaIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("takes an order through PENDING, RESERVED, PAID, CONFIRMED to SHIPPED, charging its price once")
  void happyPath() throws Exception {
    JsonObject before = env.app().stock("TSHIRT-RED-M");
    Map<String, Integer> items = new LinkedHashMap<>();
    items.put("TSHIRT-RED-M", 2);
    items.put("MUG-LOGO", 1);

    String orderId = env.app().placeOrder("alice", items);
    JsonObject shipped = env.app().awaitStatus(orderId, "SHIPPED");

    JsonArray transitions = shipped.getJsonArray("transitions");
    assertThat(transitions.stream().map(t -> ((JsonObject) t).getString("status")).toList())
        .containsExactly("PENDING", "RESERVED", "PAID", "CONFIRMED", "SHIPPED");
    List<Instant> times = transitions.stream().map(t -> Instant.parse(((JsonObject) t).getString("at"))).toList();
    assertThat(times).isSorted();
    long total = 2 * 1999 + 1250;
    assertThat(shipped.getJsonObject("total"))
        .isEqualTo(new JsonObject().put("amountMinor", total).put("currency", "EUR"));

    JsonArray charges = env.app().charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.getJsonObject(0).getString("status")).isEqualTo("AUTHORIZED");
    assertThat(charges.getJsonObject(0).getLong("amountMinor")).isEqualTo(total);

    JsonObject after = env.app().stock("TSHIRT-RED-M");
    assertThat(after.getLong("available")).isEqualTo(before.getLong("available") - 2);
    assertThat(after.getLong("reserved")).isEqualTo(before.getLong("reserved") + 2);
  }

  @Test
  @DisplayName("cancels an order with a line out of stock as OUT_OF_STOCK, charging nothing and holding no stock")
  void outOfStock() throws Exception {
    JsonObject mugsBefore = env.app().stock("MUG-LOGO");
    Map<String, Integer> items = new LinkedHashMap<>();
    items.put("MUG-LOGO", 2);
    items.put("VINYL-SOLD-OUT", 1);

    String orderId = env.app().placeOrder("bob", items);
    JsonObject cancelled = env.app().awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("OUT_OF_STOCK");
    assertThat(env.app().charges(orderId)).isEmpty();
    // The mugs were reserved before the vinyl fell short, and given back before the rejection was announced.
    assertThat(env.app().stock("MUG-LOGO")).isEqualTo(mugsBefore);
    assertThat(env.app().stock("VINYL-SOLD-OUT").getLong("available")).isZero();
  }

  @Test
  @DisplayName("cancels a declined payment as PAYMENT_DECLINED and releases the reserved stock exactly once")
  void declined() throws Exception {
    JsonObject before = env.app().stock("POSTER-A2");

    String orderId = env.app().placeOrder("decline-carol", Map.of("POSTER-A2", 3));
    JsonObject cancelled = env.app().awaitStatus(orderId, "CANCELLED");

    assertThat(cancelled.getString("cancellationReason")).isEqualTo("PAYMENT_DECLINED");
    assertThat(cancelled.getJsonArray("transitions").stream().map(t -> ((JsonObject) t).getString("status")).toList())
        .containsExactly("PENDING", "RESERVED", "CANCELLED");
    JsonArray charges = env.app().charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.getJsonObject(0).getString("status")).isEqualTo("DECLINED");

    // The release runs on inventory's own consumer: wait for it to finish everything, then look.
    eventually(() -> env.nats().idle("PAYMENTS", "inventory-payments"), idle -> idle);
    assertThat(env.app().stock("POSTER-A2")).isEqualTo(before);
    assertThat(env.nats().messages("INVENTORY", "inventory.stock-released." + orderId)).hasSize(1);
  }
}
