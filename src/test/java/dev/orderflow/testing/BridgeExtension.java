package dev.orderflow.testing;

import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.messaging.nats.NatsBridge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For component tests of the messaging layer: a test class's own nats-server, a Vert.x, and a bridge with the
 * topology provisioned, all stopped after the class's tests. Register with {@code @RegisterExtension}.
 */
public final class BridgeExtension implements BeforeAllCallback, AfterAllCallback {

  /** Three deliveries at most, quick backoff: failure paths finish in a fraction of a second. */
  public static final ConsumerConfig CONSUMERS =
      new ConsumerConfig(64, 256, Duration.ofSeconds(5), 3, Duration.ofMillis(20), Duration.ofMillis(100));

  private NatsTestServer nats;
  private Vertx vertx;
  private NatsBridge bridge;

  @Override
  public void beforeAll(ExtensionContext context) {
    nats = NatsTestServer.start();
    vertx = Vertx.vertx();
    NatsConfig config = new NatsConfig(nats.url(), "test", 1, Duration.ofHours(1), Duration.ofMinutes(2), 10_000,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ZERO);
    bridge = NatsBridge.connect(vertx, nats.url(), config, CONSUMERS, OpenTelemetry.noop(), new SimpleMeterRegistry())
        .await();
    bridge.provision(Duration.ofHours(1)).await();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (bridge != null) {
        bridge.close().await();
      }
      if (vertx != null) {
        vertx.close().await();
      }
    } finally {
      if (nats != null) {
        nats.close();
      }
    }
  }

  public NatsTestServer nats() {
    return nats;
  }

  public Vertx vertx() {
    return vertx;
  }

  public NatsBridge bridge() {
    return bridge;
  }
}
