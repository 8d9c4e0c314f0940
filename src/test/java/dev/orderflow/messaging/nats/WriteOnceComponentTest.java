package dev.orderflow.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.BridgeExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Events written once per order, and read back, on a real nats-server")
class WriteOnceComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static OrderPlaced placed(String orderId, String eventId) {
    return OrderPlaced.newBuilder().setOrderId(orderId).setEventId(eventId).setCustomerId("c").build();
  }

  @Test
  @DisplayName("stores the first event of its type, and refuses any later one for the same order")
  void firstOfItsType() {
    EventPublisher publisher = env.bridge().publisher();
    assertThat(publisher.publishFirst(Topology.ORDER_PLACED, "o-type", placed("o-type", "e-1"), First.OF_ITS_TYPE)
        .await()).isEqualTo(Written.STORED);
    // The same event again (same Nats-Msg-Id): a repeat, however the server tells it (duplicate or taken).
    assertThat(publisher.publishFirst(Topology.ORDER_PLACED, "o-type", placed("o-type", "e-1"), First.OF_ITS_TYPE)
        .await()).isIn(Written.DUPLICATE, Written.PREEMPTED);
    // Another event of the same type for the same order, as after the duplicate window: refused.
    assertThat(publisher.publishFirst(Topology.ORDER_PLACED, "o-type", placed("o-type", "e-2"), First.OF_ITS_TYPE)
        .await()).isEqualTo(Written.PREEMPTED);
    assertThat(env.bridge().eventLog().find(Topology.ORDER_PLACED, "o-type").await().getEventId()).isEqualTo("e-1");
  }

  @Test
  @DisplayName("stores only one outcome of a step per order, whichever comes first, and reads back that one")
  void firstInItsStream() {
    EventPublisher publisher = env.bridge().publisher();
    PaymentFailed failed = PaymentFailed.newBuilder().setOrderId("o-pay").setEventId("e-f").setReason("r").build();
    PaymentAuthorized authorized =
        PaymentAuthorized.newBuilder().setOrderId("o-pay").setEventId("e-a").setChargeId("ch").build();

    assertThat(publisher.publishFirst(Topology.PAYMENT_FAILED, "o-pay", failed, First.IN_ITS_STREAM).await())
        .isEqualTo(Written.STORED);
    assertThat(publisher.publishFirst(Topology.PAYMENT_AUTHORIZED, "o-pay", authorized, First.IN_ITS_STREAM).await())
        .isEqualTo(Written.PREEMPTED);

    EventLog.Recorded<?> standing = env.bridge().eventLog().last(Topology.PAYMENT_AUTHORIZED, "o-pay").await();
    assertThat(standing.type()).isEqualTo(Topology.PAYMENT_FAILED);
    assertThat(env.bridge().eventLog().find(Topology.PAYMENT_AUTHORIZED, "o-pay").await()).isNull();
    // Another order's outcome is not in the way.
    assertThat(publisher.publishFirst(Topology.PAYMENT_AUTHORIZED, "o-other",
        authorized.toBuilder().setOrderId("o-other").build(), First.IN_ITS_STREAM).await()).isEqualTo(Written.STORED);
  }

  @Test
  @DisplayName("reads nothing for an order with no events")
  void nothingStored() {
    assertThat(env.bridge().eventLog().find(Topology.ORDER_PLACED, "never-placed").await()).isNull();
    assertThat(env.bridge().eventLog().last(Topology.STOCK_RESERVED, "never-placed").await()).isNull();
  }
}
