package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.NatsTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two keepers on two event loops stand for two inventory instances sharing one bucket. */
@DisplayName("Stock keepers of two instances, on a real nats-server")
class StockKeeperComponentTest {

  private static NatsTestServer nats;
  private static Vertx vertx;
  private static NatsBridge bridge;
  private static KeyValueStore store;

  @BeforeAll
  static void start() {
    nats = NatsTestServer.start();
    vertx = Vertx.vertx();
    NatsConfig natsConfig = new NatsConfig(nats.url(), "test", 1, Duration.ofHours(1), Duration.ofMinutes(2), 10_000,
        Duration.ofSeconds(10), Duration.ofSeconds(5));
    ConsumerConfig consumers = new ConsumerConfig(64, 256, Duration.ofSeconds(5), 3, Duration.ofMillis(20),
        Duration.ofMillis(100));
    bridge = NatsBridge.connect(vertx, nats.url(), natsConfig, consumers, OpenTelemetry.noop(),
        new SimpleMeterRegistry()).await();
    bridge.provision(Duration.ofHours(1)).await();
    store = bridge.keyValue(Topology.STOCK);
  }

  @AfterAll
  static void stop() {
    try {
      bridge.close().await();
      vertx.close().await();
    } finally {
      nats.close();
    }
  }

  /** Runs {@code work} on {@code context} with that context's keeper and waits for its result. */
  private static <T> T on(Context context, StockKeeper keeper, Function<StockKeeper, Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.apply(keeper).onComplete(done));
    return done.future().await();
  }

  @Test
  @DisplayName("never oversell: 300 one-unit orders from two instances for 100 units leave exactly 100 held")
  void neverOversell() {
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    StockKeeper a = new StockKeeper(store);
    StockKeeper b = new StockKeeper(store);
    on(first, a, keeper -> keeper.seed("HOT", 100));

    List<Future<Boolean>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    first.runOnContext(v -> {
      for (int i = 0; i < 150; i++) {
        answers.add(a.reserve("HOT", "a-" + i, 1));
      }
      second.runOnContext(w -> {
        for (int i = 0; i < 150; i++) {
          answers.add(b.reserve("HOT", "b-" + i, 1));
        }
        sent.complete();
      });
    });
    sent.future().await();
    Future.all(answers).await();

    long held = answers.stream().filter(Future::result).count();
    Stock stock = Stock.decode(store.get("HOT").await().value());
    assertThat(held).isEqualTo(100);
    assertThat(stock.available()).isZero();
    assertThat(stock.reserved()).isEqualTo(100);
    assertThat(stock.holds()).hasSize(100);
  }

  @Test
  @DisplayName("count an order asked for by both instances once")
  void sameOrderTwice() {
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    StockKeeper a = new StockKeeper(store);
    StockKeeper b = new StockKeeper(store);
    on(first, a, keeper -> keeper.seed("TWICE", 10));

    Future<Boolean> fromA = on(first, a, keeper -> Future.succeededFuture(keeper.reserve("TWICE", "o-1", 3)));
    Future<Boolean> fromB = on(second, b, keeper -> Future.succeededFuture(keeper.reserve("TWICE", "o-1", 3)));
    assertThat(fromA.await()).isTrue();
    assertThat(fromB.await()).isTrue();

    Stock stock = Stock.decode(store.get("TWICE").await().value());
    assertThat(stock.available()).isEqualTo(7);
    assertThat(stock.reserved()).isEqualTo(3);

    on(second, b, keeper -> keeper.release("TWICE", "o-1", 3));
    on(first, a, keeper -> keeper.release("TWICE", "o-1", 3));
    assertThat(Stock.decode(store.get("TWICE").await().value()).available()).isEqualTo(10);
  }
}
