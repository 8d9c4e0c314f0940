package dev.orderflow.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Orders' last events looked up together, on a real nats-server")
class LastEventsComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  @Test
  @DisplayName("lookups made in one event-loop turn share requests, and each gets its order's last event or null")
  void batched() throws Exception {
    EventPublisher publisher = env.bridge().publisher();
    int orders = 600; // more than two requests' worth
    for (int i = 0; i < orders; i += 2) {
      String orderId = "lb-" + i;
      if (i % 3 == 0) {
        publisher.publish(Topology.STOCK_REJECTED, orderId,
            StockRejected.newBuilder().setOrderId(orderId).setEventId("r-" + i).build()).await();
      } else {
        publisher.publish(Topology.STOCK_RESERVED, orderId,
            StockReserved.newBuilder().setOrderId(orderId).setEventId("s-" + i).build()).await();
      }
      if (i % 4 == 0) { // released after: the last of the two is the one answered
        publisher.publish(Topology.STOCK_RELEASED, orderId,
            StockReleased.newBuilder().setOrderId(orderId).setEventId("x-" + i).build()).await();
      }
    }

    try (Connection connection = Nats.connect(env.nats().url())) {
      LastEvents lastEvents =
          new LastEvents(env.vertx(), connection, connection.createDispatcher(), Duration.ofSeconds(5));
      connection.flush(Duration.ofSeconds(5)); // its subscription is out: only the requests are counted below
      long requestsBefore = connection.getStatistics().getOutMsgs();
      CompletableFuture<Map<String, Recorded<?>>> answered = new CompletableFuture<>();
      env.vertx().runOnContext(v -> {
        List<Future<Recorded<?>>> lookups = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
          lookups.add(lastEvents.last(Topology.STOCK_RESERVED.stream(), "lb-" + i));
        }
        lookups.add(lastEvents.last(Topology.STOCK_RESERVED.stream(), "lb-4")); // asked twice in one turn
        Future.all(lookups).onComplete(all -> {
          if (all.failed()) {
            answered.completeExceptionally(all.cause());
            return;
          }
          Map<String, Recorded<?>> byOrder = new HashMap<>();
          for (int i = 0; i < orders; i++) {
            byOrder.put("lb-" + i, lookups.get(i).result());
          }
          assertThat(lookups.get(orders).result().event()).isEqualTo(byOrder.get("lb-4").event());
          answered.complete(byOrder);
        });
      });

      Map<String, Recorded<?>> last = answered.get(20, TimeUnit.SECONDS);
      for (int i = 0; i < orders; i++) {
        Recorded<?> recorded = last.get("lb-" + i);
        if (i % 2 == 1) {
          assertThat(recorded).as("lb-" + i).isNull();
        } else {
          EventType<?> expected = i % 4 == 0 ? Topology.STOCK_RELEASED
              : i % 3 == 0 ? Topology.STOCK_REJECTED : Topology.STOCK_RESERVED;
          assertThat(recorded.type()).as("lb-" + i).isEqualTo(expected);
        }
      }
      // 601 lookups of 600 orders: three requests of at most 256 orders, not one per lookup.
      assertThat(connection.getStatistics().getOutMsgs() - requestsBefore).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a lookup alone goes out at once and answers null when nothing is stored")
  void alone() throws Exception {
    try (Connection connection = Nats.connect(env.nats().url())) {
      LastEvents lastEvents =
          new LastEvents(env.vertx(), connection, connection.createDispatcher(), Duration.ofSeconds(5));
      assertThat(lastEvents.last(Topology.PAYMENT_AUTHORIZED.stream(), "never-paid").await()).isNull();
    }
  }
}
