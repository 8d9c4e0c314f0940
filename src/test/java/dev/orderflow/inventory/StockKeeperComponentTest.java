package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.Topology;
import dev.orderflow.testing.BridgeExtension;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two keepers on two event loops stand for two inventory instances sharing one bucket. */
@DisplayName("Stock keepers of two instances, on a real nats-server")
class StockKeeperComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static KeyValueStore store;

  @BeforeAll
  static void start() {
    store = env.bridge().keyValue(Topology.STOCK);
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
    Context first = env.vertx().getOrCreateContext();
    Context second = env.vertx().getOrCreateContext();
    StockKeeper a = new StockKeeper(store);
    StockKeeper b = new StockKeeper(store);
    on(first, a, keeper -> keeper.seed("HOT", 100));

    List<Future<String>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    first.runOnContext(v -> {
      for (int i = 0; i < 150; i++) {
        answers.add(a.reserve("HOT", "a-" + i, 1, "e-a-" + i));
      }
      second.runOnContext(w -> {
        for (int i = 0; i < 150; i++) {
          answers.add(b.reserve("HOT", "b-" + i, 1, "e-b-" + i));
        }
        sent.complete();
      });
    });
    sent.future().await();
    Future.all(answers).await();

    long held = answers.stream().filter(answer -> answer.result() != null).count();
    Stock stock = Stock.decode(store.get("HOT").await().value());
    assertThat(held).isEqualTo(100);
    assertThat(stock.available()).isZero();
    assertThat(stock.reserved()).isEqualTo(100);
    assertThat(stock.holds()).hasSize(100);
    assertThat(stock.holders()).hasSize(100);
  }

  @Test
  @DisplayName("count an order asked for by both instances once, under the hold the first one made")
  void sameOrderTwice() {
    Context first = env.vertx().getOrCreateContext();
    Context second = env.vertx().getOrCreateContext();
    StockKeeper a = new StockKeeper(store);
    StockKeeper b = new StockKeeper(store);
    on(first, a, keeper -> keeper.seed("TWICE", 10));

    Future<String> fromA = on(first, a, keeper -> Future.succeededFuture(keeper.reserve("TWICE", "o-1", 3, "e-a")));
    Future<String> fromB = on(second, b, keeper -> Future.succeededFuture(keeper.reserve("TWICE", "o-1", 3, "e-b")));
    assertThat(fromA.await()).isNotNull().isEqualTo(fromB.await());

    Stock stock = Stock.decode(store.get("TWICE").await().value());
    assertThat(stock.available()).isEqualTo(7);
    assertThat(stock.reserved()).isEqualTo(3);

    on(second, b, keeper -> keeper.release("TWICE", "o-1", 3, "r-b", null));
    on(first, a, keeper -> keeper.release("TWICE", "o-1", 3, "r-a", null));
    assertThat(Stock.decode(store.get("TWICE").await().value()).available()).isEqualTo(10);
  }

  @Test
  @DisplayName("carry on from a value an earlier version stored as JSON, and write it back as protobuf")
  void upgradeFromJson() {
    Context context = env.vertx().getOrCreateContext();
    StockKeeper keeper = new StockKeeper(store);
    byte[] earlier = """
        {"available":5,"reserved":2,"holds":{"o-1":2},"returns":{}}""".getBytes(StandardCharsets.UTF_8);
    store.create("UPGRADED", earlier).await();

    String heldBefore = on(context, keeper, k -> k.reserve("UPGRADED", "o-1", 2, "e-1"));
    String heldNow = on(context, keeper, k -> k.reserve("UPGRADED", "o-2", 3, "e-2"));
    assertThat(heldBefore).as("a hold from before holders were recorded names none").isEmpty();
    assertThat(heldNow).isEqualTo("e-2");

    byte[] stored = store.get("UPGRADED").await().value();
    assertThat(stored[0]).isNotEqualTo((byte) '{');
    assertThat(Stock.decode(stored))
        .isEqualTo(new Stock(2, 5, Map.of("o-1", 2L, "o-2", 3L), Map.of(), Map.of("o-2", "e-2"), Map.of()));
  }
}
