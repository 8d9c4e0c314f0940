package dev.orderflow.messaging.operate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Every event of a type read from its stream in one pass, on a real nats-server")
class EventScanComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static void place(String orderId) {
    OrderPlaced event = OrderPlaced.newBuilder().setOrderId(orderId).setEventId("e-" + orderId).setCustomerId("c")
        .build();
    env.bridge().publisher().publishFirst(Topology.ORDER_PLACED, orderId, event, First.OF_ITS_TYPE).await();
  }

  @Test
  @DisplayName("hands over each event with its order id, oldest first, and the next pass only what came since")
  void readsInPasses() throws Exception {
    // Many more than one pull batch, and another type's events in the same stream in between, to be left out.
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      placed.add("scan-" + i);
      place("scan-" + i);
      if (i % 1000 == 0) {
        env.bridge().publisher().publishFirst(Topology.ORDER_CANCELLED, "scan-" + i,
            OrderCancelled.newBuilder().setOrderId("scan-" + i).build(), First.OF_ITS_TYPE)
            .await();
      }
    }
    try (EventScan scan = EventScan.open(env.nats().url())) {
      Map<String, OrderPlaced> read = new LinkedHashMap<>();
      long last = scan.read(Topology.ORDER_PLACED, 0, read::put);
      assertThat(read.keySet()).containsExactlyElementsOf(placed);
      assertThat(read.values()).allSatisfy(e -> assertThat(e.getEventId()).isEqualTo("e-" + e.getOrderId()));

      place("scan-late");
      List<String> more = new ArrayList<>();
      long after = scan.readOrderIds(Topology.ORDER_PLACED, last, more::add);
      assertThat(more).containsExactly("scan-late");
      assertThat(after).isGreaterThan(last);
      // Nothing new: answers at once, with the same sequence.
      assertThat(scan.readOrderIds(Topology.ORDER_PLACED, after, more::add)).isEqualTo(after);
      assertThat(more).containsExactly("scan-late");
    }
  }

  @Test
  @DisplayName("reads nothing from a type with no events, without waiting for one")
  void nothingStored() throws Exception {
    try (EventScan scan = EventScan.open(env.nats().url())) {
      List<String> ids = new ArrayList<>();
      assertThat(scan.readOrderIds(Topology.STOCK_RELEASED, 0, ids::add)).isZero();
      assertThat(ids).isEmpty();
    }
  }

  @Test
  @DisplayName("hands over bytes that are no such event as null, with the order id of their subject")
  void undecodable() throws Exception {
    try (Connection connection = Nats.connect(env.nats().url())) {
      connection.jetStream().publish(Topology.SHIPMENT_SCHEDULED.subject("poisoned"), new byte[] {(byte) 0xff, 1});
    }
    env.bridge().publisher().publishFirst(Topology.SHIPMENT_SCHEDULED, "fine",
        ShipmentScheduled.newBuilder().setOrderId("fine").build(), First.OF_ITS_TYPE).await();
    try (EventScan scan = EventScan.open(env.nats().url())) {
      Map<String, ShipmentScheduled> read = new LinkedHashMap<>();
      scan.read(Topology.SHIPMENT_SCHEDULED, 0, read::put);
      assertThat(read).containsKeys("poisoned", "fine");
      assertThat(read.get("poisoned")).isNull();
      assertThat(read.get("fine").getOrderId()).isEqualTo("fine");
    }
  }
}
