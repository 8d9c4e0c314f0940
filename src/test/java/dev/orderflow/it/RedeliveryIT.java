package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.nats.client.api.MessageInfo;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every event of a finished order is published again by the test, without a message id so that the stream keeps
 * the copy and every consumer receives it a second time. Handlers are idempotent: nothing may change.
 */
@DisplayName("An event delivered twice")
class RedeliveryIT {

  private static final List<String[]> CONSUMERS = List.of(
      new String[] {"ORDERS", "inventory-orders"}, new String[] {"ORDERS", "shipping-orders"},
      new String[] {"INVENTORY", "orders-inventory"}, new String[] {"INVENTORY", "payments-inventory"},
      new String[] {"PAYMENTS", "orders-payments"}, new String[] {"PAYMENTS", "inventory-payments"},
      new String[] {"PAYMENTS", "inventory-payments-failed"});

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("changes no order, no stock, and charges nothing twice, on the happy path")
  void shippedOrder() throws Exception {
    String orderId = env.app().placeOrder("hana", Map.of("POSTER-A2", 2));
    env.app().awaitStatus(orderId, "SHIPPED");
    awaitAllIdle();
    JsonObject view = env.app().order(orderId);
    JsonObject stock = env.app().stock("POSTER-A2");

    republish(orderId, "ORDERS", "orders.placed");
    republish(orderId, "INVENTORY", "inventory.stock-reserved");
    republish(orderId, "PAYMENTS", "payments.authorized");
    republish(orderId, "ORDERS", "orders.confirmed");
    republish(orderId, "SHIPPING", "shipping.shipment-scheduled");
    awaitAllIdle();

    assertThat(env.app().order(orderId)).isEqualTo(view);
    assertThat(env.app().stock("POSTER-A2")).isEqualTo(stock);
    assertThat(env.app().charges(orderId)).hasSize(1);
    assertThat(eventsFor(orderId, "SHIPPING", "shipping.shipment-scheduled")).hasSize(2); // the original and our copy
  }

  @Test
  @DisplayName("releases a declined order's stock only once")
  void declinedOrder() throws Exception {
    JsonObject before = env.app().stock("POSTER-A2");
    String orderId = env.app().placeOrder("decline-ivan", Map.of("POSTER-A2", 4));
    env.app().awaitStatus(orderId, "CANCELLED");
    awaitAllIdle();
    assertThat(env.app().stock("POSTER-A2")).isEqualTo(before);
    JsonObject view = env.app().order(orderId);

    republish(orderId, "PAYMENTS", "payments.declined");
    republish(orderId, "INVENTORY", "inventory.stock-reserved");
    awaitAllIdle();

    assertThat(env.app().stock("POSTER-A2")).isEqualTo(before);
    assertThat(env.app().order(orderId)).isEqualTo(view);
    assertThat(env.app().charges(orderId)).hasSize(1);
  }

  @Test
  @DisplayName("does not reserve again for a rejected order, nor give back stock it never held")
  void rejectedOrder() throws Exception {
    JsonObject mugs = env.app().stock("MUG-LOGO");
    String orderId = env.app().placeOrder("jane", Map.of("MUG-LOGO", 1, "VINYL-SOLD-OUT", 1));
    env.app().awaitStatus(orderId, "CANCELLED");
    awaitAllIdle();

    republish(orderId, "ORDERS", "orders.placed");
    awaitAllIdle();

    assertThat(env.app().stock("MUG-LOGO")).isEqualTo(mugs);
    assertThat(env.app().order(orderId).getString("cancellationReason")).isEqualTo("OUT_OF_STOCK");
  }

  /** Stores a second copy of the order's event on {@code prefix}: its consumers receive it as a new message. */
  private static void republish(String orderId, String stream, String prefix) throws Exception {
    List<MessageInfo> originals = eventsFor(orderId, stream, prefix);
    assertThat(originals).as("%s for %s", prefix, orderId).hasSize(1);
    env.nats().connection().jetStream().publish(prefix + "." + orderId, originals.get(0).getData());
  }

  private static List<MessageInfo> eventsFor(String orderId, String stream, String prefix) throws Exception {
    return env.nats().messages(stream, prefix + "." + orderId);
  }

  private static void awaitAllIdle() {
    eventually(() -> {
      for (String[] consumer : CONSUMERS) {
        if (!env.nats().idle(consumer[0], consumer[1])) {
          return false;
        }
      }
      return true;
    }, idle -> idle);
  }
}
