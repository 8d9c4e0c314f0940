package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.operate.DeadLetterDesk;
import dev.orderflow.testing.OrderflowExtension;
import io.nats.client.api.MessageInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A poison message on a consumed subject")
class DeadLetterIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("ends in the dead-letter stream with its reason and body, while orders keep flowing")
  void garbage() throws Exception {
    byte[] garbage = "this is not a protobuf event \u0000\u00ff".getBytes(StandardCharsets.UTF_8);
    env.nats().connection().jetStream().publish("orders.placed.garbage-order", garbage);

    List<MessageInfo> dead = eventually(() -> env.nats().messages("DEADLETTERS", "deadletter.inventory-orders"),
        letters -> !letters.isEmpty());
    MessageInfo letter = dead.get(0);
    assertThat(letter.getHeaders().getFirst("Orderflow-Dead-Letter-Reason")).containsAnyOf("undecodable", "invalid");
    assertThat(letter.getHeaders().getFirst("Orderflow-Original-Subject")).isEqualTo("orders.placed.garbage-order");
    assertThat(letter.getData()).isEqualTo(garbage);

    String orderId = env.app().placeOrder("kim", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");
    assertThat(env.nats().idle("ORDERS", "inventory-orders")).isTrue();
  }

  @Test
  @DisplayName("that decodes but is invalid (an order without lines) is dead-lettered with the handler's reason")
  void invalidEvent() throws Exception {
    OrderPlaced empty = OrderPlaced.newBuilder().setEventId("e-1").setOrderId("order-without-lines")
        .setOccurredAt(EventTime.of(Instant.now())).setCustomerId("c-1")
        .setTotal(Money.newBuilder().setAmountMinor(1250).setCurrency("EUR")).build();
    env.nats().connection().jetStream().publish("orders.placed.order-without-lines", empty.toByteArray());

    MessageInfo letter = eventually(() -> env.nats().messages("DEADLETTERS", "deadletter.inventory-orders").stream()
        .filter(m -> new String(m.getData(), StandardCharsets.ISO_8859_1).contains("order-without-lines"))
        .findFirst().orElse(null), found -> found != null);
    assertThat(letter.getHeaders().getFirst("Orderflow-Dead-Letter-Reason")).contains("has no lines");
    assertThat(env.app().order("order-without-lines")).isNull();
  }

  @Test
  @DisplayName("whose order id cannot be one is dead-lettered at once, not retried")
  void unusableOrderId() throws Exception {
    OrderPlaced odd = OrderPlaced.newBuilder().setEventId("e-2").setOrderId("not a usable id!").build();
    env.nats().connection().jetStream().publish("orders.placed.odd", odd.toByteArray());

    MessageInfo letter = eventually(() -> env.nats().messages("DEADLETTERS", "deadletter.inventory-orders").stream()
        .filter(m -> new String(m.getData(), StandardCharsets.ISO_8859_1).contains("not a usable id!"))
        .findFirst().orElse(null), found -> found != null);
    assertThat(letter.getHeaders().getFirst("Orderflow-Dead-Letter-Reason")).contains("is not an order id");
    assertThat(letter.getHeaders().getFirst("Orderflow-Deliveries")).isEqualTo("1");
  }

  @Test
  @DisplayName("can be listed with its reason, sent back to its subject, or discarded by an operator")
  void operatorDesk() throws Exception {
    env.nats().connection().jetStream().publish("orders.placed.desk-order", "still not an event".getBytes(
        StandardCharsets.UTF_8));
    try (DeadLetterDesk desk = DeadLetterDesk.open(env.nats().url())) {
      DeadLetterDesk.Letter letter = eventually(() -> desk.list(1000).stream()
          .filter(l -> "orders.placed.desk-order".equals(l.originalSubject())).findFirst().orElse(null),
          found -> found != null);
      assertThat(letter.consumer()).isEqualTo("inventory-orders");
      assertThat(letter.reason()).contains("undecodable");

      // Sent back, it is handled anew: still poison, so it is dead-lettered again, as a new letter.
      desk.sendBack(letter.sequence());
      DeadLetterDesk.Letter again = eventually(() -> desk.list(1000).stream()
          .filter(l -> "orders.placed.desk-order".equals(l.originalSubject())).findFirst().orElse(null),
          found -> found != null && found.sequence() != letter.sequence());
      assertThat(desk.list(1000)).noneMatch(l -> l.sequence() == letter.sequence());

      desk.discard(again.sequence());
      assertThat(desk.list(1000)).noneMatch(l -> "orders.placed.desk-order".equals(l.originalSubject()));
    }
  }
}
