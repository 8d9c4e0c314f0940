package dev.orderflow.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.WriteConflict;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The key-value store, on a real nats-server")
class KeyValueStoreComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static KeyValueStore store;
  /** The same bucket read as at more than one replica: from the stream's leader, with JetStream's message get. */
  private static KeyValueStore fromLeader;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    store = env.bridge().keyValue(Topology.STOCK);
    connection = Nats.connect(env.nats().url());
    fromLeader = new NatsKeyValueStore(env.vertx(), connection, env.bridge().publisher(), Topology.STOCK, true);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (connection != null) {
      connection.close();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("creates a key once; a second create conflicts")
  void createOnce() {
    long revision = store.create("create-once", bytes("a")).await();
    assertThat(store.get("create-once").await().revision()).isEqualTo(revision);
    assertThatThrownBy(() -> store.create("create-once", bytes("b")).await()).isInstanceOf(WriteConflict.class);
    assertThat(new String(store.get("create-once").await().value(), StandardCharsets.UTF_8)).isEqualTo("a");
  }

  @Test
  @DisplayName("answers null for a key that was never written")
  void missing() {
    assertThat(store.get("never-written").await()).isNull();
  }

  @Test
  @DisplayName("updates only from the revision read; a stale revision conflicts")
  void compareAndSet() {
    long first = store.create("cas", bytes("1")).await();
    long second = store.update("cas", bytes("2"), first).await();
    assertThatThrownBy(() -> store.update("cas", bytes("3"), first).await()).isInstanceOf(WriteConflict.class);
    assertThat(store.get("cas").await().revision()).isEqualTo(second);
  }

  @Test
  @DisplayName("reads from the stream's leader the entry a direct get reads, its revision, and no deleted key")
  void leaderReads() throws Exception {
    long first = store.create("leader-read", bytes("1")).await();
    KeyValueStore.Entry read = fromLeader.get("leader-read").await();
    assertThat(read.revision()).isEqualTo(first);
    assertThat(new String(read.value(), StandardCharsets.UTF_8)).isEqualTo("1");
    long second = fromLeader.update("leader-read", bytes("2"), read.revision()).await();
    assertThat(fromLeader.get("leader-read").await().revision()).isEqualTo(second)
        .isEqualTo(store.get("leader-read").await().revision());
    assertThat(fromLeader.get("never-written-either").await()).isNull();
    connection.keyValue(Topology.STOCK.name()).delete("leader-read");
    assertThat(fromLeader.get("leader-read").await()).isNull();
    assertThat(store.get("leader-read").await()).isNull();
  }
}
