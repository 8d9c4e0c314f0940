package dev.orderflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.config.Catalogue;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.support.NatsJetStreamConstants;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The list benchmark's store filler, on a real nats-server with Orderflow's topology")
class StoreFillerComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  @Test
  @DisplayName("writes every order's sound events as the service would, leaves the saga's consumers nothing to do but "
      + "what comes after, and refuses a store that already holds events")
  void fills() throws Exception {
    Catalogue catalogue = ConfigLoader.loadNow(new JsonObject()).catalogue();
    try (Connection connection = Nats.connect(env.nats().url())) {
      JsonObject made = StoreFiller.fill(connection, catalogue, 2_000, 20, 7);

      assertThat(made.getLong("orders")).isEqualTo(2_000);
      long shipped = made.getLong("shipped");
      long cancelled = made.getLong("cancelled");
      assertThat(shipped + cancelled + made.getLong("open")).isEqualTo(2_000);
      assertThat(shipped).isGreaterThan(1_700);
      assertThat(cancelled).isGreaterThan(100);
      JetStreamManagement management = connection.jetStreamManagement();
      assertThat(management.getStreamInfo(Topology.ORDERS.name()).getStreamState().getMsgCount())
          .isEqualTo(2_000 + cancelled);
      assertThat(management.getStreamInfo(Topology.SHIPPING.name()).getStreamState().getMsgCount()).isEqualTo(shipped);
      for (ConsumerSpec consumer : Topology.CONSUMERS) {
        ConsumerInfo info = management.getConsumerInfo(consumer.stream().name(), consumer.durable());
        assertThat(info.getNumPending() + info.getNumAckPending()).as(consumer.durable()).isZero();
      }

      String lastOrder = made.getString("lastOrderId");
      MessageInfo stored = management.getLastMessage(Topology.ORDERS.name(), Topology.ORDER_PLACED.subject(lastOrder));
      OrderPlaced placed = OrderPlaced.parseFrom(stored.getData());
      assertThat(Topology.ORDER_PLACED.sound(placed)).isTrue();
      assertThat(placed.getCustomerId()).matches("lb-000[01][0-9]");
      assertThat(EventTime.toInstant(placed.getOccurredAt()).toString()).isEqualTo(made.getString("lastPlacedAt"));
      assertThat(stored.getHeaders().getFirst(NatsJetStreamConstants.MSG_ID_HDR))
          .isEqualTo(Topology.ORDER_PLACED.messageId(lastOrder));

      MessageInfo firstCancellation = management.getNextMessage(Topology.ORDERS.name(), 1,
          Topology.ORDER_CANCELLED.filterSubject());
      OrderCancelled cancellation = OrderCancelled.parseFrom(firstCancellation.getData());
      assertThat(Topology.ORDER_CANCELLED.sound(cancellation)).isTrue();
      OrderPlaced cancelledOrder = OrderPlaced.parseFrom(management.getLastMessage(Topology.ORDERS.name(),
          Topology.ORDER_PLACED.subject(cancellation.getOrderId())).getData());
      assertThat(cancellation.getPlacedAt()).isEqualTo(cancelledOrder.getOccurredAt());

      // The saga's consumers take what is written after the fill.
      env.bridge().publisher().publishFirst(Topology.ORDER_PLACED, "after-the-fill", order("after-the-fill"),
          First.OF_ITS_TYPE).await();
      assertThat(management.getConsumerInfo(Topology.ORDERS.name(), Topology.INVENTORY_ON_ORDERS.durable())
          .getNumPending()).isEqualTo(1);

      assertThatThrownBy(() -> StoreFiller.fill(connection, catalogue, 10, 1, 7))
          .hasMessageContaining("already holds");
    }
  }

  private static OrderPlaced order(String orderId) {
    Money price = Money.newBuilder().setAmountMinor(1250).setCurrency("EUR").build();
    return OrderPlaced.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setCustomerId("someone")
        .addLines(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(1).setUnitPrice(price))
        .setTotal(price)
        .build();
  }
}
