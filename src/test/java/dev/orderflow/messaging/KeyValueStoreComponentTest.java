package dev.orderflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.testing.NatsTestServer;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The key-value store, on a real nats-server")
class KeyValueStoreComponentTest {

  private static NatsTestServer nats;
  private static Vertx vertx;
  private static NatsBridge bridge;
  private static KeyValueStore store;

  static NatsConfig natsConfig(String url) {
    return new NatsConfig(url, "test", 1, Duration.ofHours(1), Duration.ofMinutes(2), 1000, Duration.ofSeconds(5),
        Duration.ofSeconds(5));
  }

  static ConsumerConfig consumerConfig() {
    return new ConsumerConfig(64, 256, Duration.ofSeconds(5), 3, Duration.ofMillis(20), Duration.ofMillis(100));
  }

  @BeforeAll
  static void start() {
    nats = NatsTestServer.start();
    vertx = Vertx.vertx();
    bridge = NatsBridge.connect(vertx, nats.url(), natsConfig(nats.url()), consumerConfig(),
        io.opentelemetry.api.OpenTelemetry.noop(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).await();
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
