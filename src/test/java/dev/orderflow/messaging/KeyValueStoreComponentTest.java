package dev.orderflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.testing.BridgeExtension;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The key-value store, on a real nats-server")
class KeyValueStoreComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static KeyValueStore store;

  @BeforeAll
  static void start() {
    store = env.bridge().keyValue(Topology.STOCK);
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
}
