package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("With no NATS URL configured")
class EmbeddedNatsIT {

  @Test
  @DisplayName("Orderflow runs its own nats-server with JetStream under the data directory, and stops it when it stops")
  void embedded() throws Exception {
    int natsPort = NatsTestServer.freePort();
    JsonObject settings = new JsonObject()
        .put("nats", new JsonObject().put("url", ""))
        .put("embeddedNats", new JsonObject()
            .put("executable", NatsTestServer.executable().toString())
            .put("port", natsPort));
    Optional<ProcessHandle> server;
    try (TestOrderflow orderflow = TestOrderflow.start(null, settings)) {
      Path pidFile = orderflow.config().dataDir().resolve("nats/nats-server.pid");
      assertThat(pidFile).exists();
      server = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
      assertThat(server).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
      assertThat(orderflow.config().dataDir().resolve("nats/jetstream")).isDirectory();
      // Its garbage collector tuned for a heap of per-subject indexes, and half the processors for its Go code
      // (docs/adr/0006-embedded-server-gogc-gomaxprocs.md), unless set in the environment.
      List<String> environment =
          List.of(Files.readString(Path.of("/proc/" + server.get().pid() + "/environ")).split("\0"));
      if (System.getenv("GOGC") == null) {
        assertThat(environment).contains("GOGC=400");
      }
      if (System.getenv("GOMAXPROCS") == null) {
        assertThat(environment).contains(
            "GOMAXPROCS=" + Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
      }

      String orderId = orderflow.placeOrder("pia", Map.of("MUG-LOGO", 1));
      orderflow.awaitStatus(orderId, "SHIPPED");
    }
    assertThat(server.get().isAlive()).isFalse();
  }
}
