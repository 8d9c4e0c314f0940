package dev.orderflow.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anEventLoopsWritesWaitForTheEndOfItsIterationAndKeepTheirOrder() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<List<String>> done = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      Outbox.send(() -> seen.add("first write"));
      Outbox.send(() -> seen.add("second write"));
      seen.add("the handler's turn ends");
      Outbox.send(() -> done.complete(List.copyOf(seen)));
    });

    assertThat(done.get(10, TimeUnit.SECONDS))
        .containsExactly("the handler's turn ends", "first write", "second write");
  }

  @Test
  void aWriteThatThrowsDoesNotCostTheWritesAfterIt() throws Exception {
    CompletableFuture<String> after = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      Outbox.send(() -> {
        throw new IllegalStateException("connection closed");
      });
      Outbox.send(() -> after.complete("sent"));
    });

    assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo("sent");
  }

  @Test
  void offAnEventLoopAWriteGoesAtOnce() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Outbox.send(() -> seen.add("sent"));
    assertThat(seen).containsExactly("sent");

    CompletableFuture<List<String>> onWorker = new CompletableFuture<>();
    vertx.executeBlocking(() -> {
      List<String> mine = new CopyOnWriteArrayList<>();
      Outbox.send(() -> mine.add("sent"));
      return onWorker.complete(List.copyOf(mine));
    });
    assertThat(onWorker.get(10, TimeUnit.SECONDS)).containsExactly("sent");
  }
}
