package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.api.MessageInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A poison message on a consumed subject")
class DeadLetterIT {

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
  @DisplayName("ends in the dead-letter stream with its reason and body, while orders keep flowing")
  void garbage() throws Exception {
    byte[] garbage = "this is not a protobuf event \u0000\u00ff".getBytes(StandardCharsets.UTF_8);
    nats.connection().jetStream().publish("orders.placed", garbage);

    List<MessageInfo> dead = eventually(() -> nats.messages("DEADLETTERS", "deadletter.inventory-orders"),
        letters -> !letters.isEmpty());
    MessageInfo letter = dead.get(0);
    assertThat(letter.getHeaders().getFirst("Orderflow-Dead-Letter-Reason")).containsAnyOf("undecodable", "invalid");
    assertThat(letter.getHeaders().getFirst("Orderflow-Original-Subject")).isEqualTo("orders.placed");
    assertThat(letter.getData()).isEqualTo(garbage);
    eventually(() -> nats.messages("DEADLETTERS", "deadletter.orders-orders"), letters -> letters.size() == 1);

    String orderId = orderflow.placeOrder("kim", Map.of("MUG-LOGO", 1));
    orderflow.awaitStatus(orderId, "SHIPPED");
    assertThat(nats.idle("ORDERS", "inventory-orders")).isTrue();
  }

  @Test
  @DisplayName("that decodes but is invalid (an order without lines) is dead-lettered with the handler's reason")
  void invalidEvent() throws Exception {
    OrderPlaced empty = OrderPlaced.newBuilder().setEventId("e-1").setOrderId("order-without-lines").build();
    nats.connection().jetStream().publish("orders.placed", empty.toByteArray());

    MessageInfo letter = eventually(() -> nats.messages("DEADLETTERS", "deadletter.inventory-orders").stream()
        .filter(m -> new String(m.getData(), StandardCharsets.ISO_8859_1).contains("order-without-lines"))
        .findFirst().orElse(null), found -> found != null);
    assertThat(letter.getHeaders().getFirst("Orderflow-Dead-Letter-Reason")).contains("has no lines");
    assertThat(orderflow.order("order-without-lines")).isNull();
  }
}
