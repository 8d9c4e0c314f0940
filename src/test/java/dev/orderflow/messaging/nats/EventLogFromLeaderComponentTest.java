package dev.orderflow.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reads used on replicated streams, which only each stream's leader answers (here the single server). */
@DisplayName("Orders' events read from the stream's leader, on a real nats-server")
class EventLogFromLeaderComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  @Test
  @DisplayName("the last event of an order in a stream, an event by type, and null where none is stored")
  void readsFromTheLeader() throws Exception {
    EventPublisher publisher = env.bridge().publisher();
    publisher.publish(Topology.STOCK_RESERVED, "ldr-1",
        StockReserved.newBuilder().setOrderId("ldr-1").setEventId("s-1").build()).await();
    publisher.publish(Topology.STOCK_RELEASED, "ldr-1",
        StockReleased.newBuilder().setOrderId("ldr-1").setEventId("x-1").build()).await();
    publisher.publish(Topology.STOCK_RESERVED, "ldr-2",
        StockReserved.newBuilder().setOrderId("ldr-2").setEventId("s-2").build()).await();

    try (Connection connection = Nats.connect(env.nats().url())) {
      EventLog log = new NatsEventLog(env.vertx(), connection, connection.createDispatcher(), true);

      Recorded<?> last = onLoop(() -> log.last(Topology.STOCK_RESERVED, "ldr-1"));
      assertThat(last.type()).isEqualTo(Topology.STOCK_RELEASED);
      assertThat(last.sequence()).isPositive();
      assertThat(((StockReleased) last.event()).getEventId()).isEqualTo("x-1");

      Recorded<?> only = onLoop(() -> log.last(Topology.STOCK_RESERVED, "ldr-2"));
      assertThat(only.type()).isEqualTo(Topology.STOCK_RESERVED);
      assertThat(only.sequence()).isGreaterThan(last.sequence()); // published after ldr-1's two

      assertThat(onLoop(() -> log.last(Topology.STOCK_RESERVED, "ldr-none"))).isNull();

      StockReserved reserved = onLoop(() -> log.find(Topology.STOCK_RESERVED, "ldr-1"));
      assertThat(reserved.getEventId()).isEqualTo("s-1");
      assertThat(onLoop(() -> log.find(Topology.STOCK_RELEASED, "ldr-2"))).isNull();
    }
  }

  private static <T> T onLoop(Supplier<io.vertx.core.Future<T>> read) throws Exception {
    CompletableFuture<T> answered = new CompletableFuture<>();
    env.vertx().runOnContext(v -> read.get().onComplete(done -> {
      if (done.succeeded()) {
        answered.complete(done.result());
      } else {
        answered.completeExceptionally(done.cause());
      }
    }));
    return answered.get(10, TimeUnit.SECONDS);
  }
}
