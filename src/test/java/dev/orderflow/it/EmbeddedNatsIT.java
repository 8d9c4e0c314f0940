package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  @Test
  @DisplayName("its nats-server refuses any client without the credentials it generated at start, which only the "
      + "owner can read, and which bin/deadletters finds in the data folder")
  void credentials() throws Exception {
    int natsPort = NatsTestServer.freePort();
    JsonObject settings = new JsonObject()
        .put("nats", new JsonObject().put("url", ""))
        .put("embeddedNats", new JsonObject()
            .put("executable", NatsTestServer.executable().toString())
            .put("port", natsPort));
    String url = "nats://127.0.0.1:" + natsPort;
    try (TestOrderflow orderflow = TestOrderflow.start(null, settings)) {
      Path tokenFile = orderflow.config().dataDir().resolve("nats/token");
      assertThat(tokenFile).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
      String token = Files.readString(tokenFile).strip();
      assertThat(token).hasSizeGreaterThanOrEqualTo(32);

      // Any process on the machine could read and forge every event before: now it is refused.
      assertThatThrownBy(() -> Nats.connect(Options.builder().server(url).maxReconnects(0).build()).close())
          .hasMessageContaining("Authorization");
      assertThatThrownBy(() -> Nats.connect(Options.builder().server(url).token("guess".toCharArray())
          .maxReconnects(0).build()).close()).hasMessageContaining("Authorization");
      try (Connection owner = Nats.connect(Options.builder().server(url).token(token.toCharArray())
          .maxReconnects(0).build())) {
        assertThat(owner.jetStreamManagement().getStreamNames()).contains("ORDERS");
      }

      // The operator's tools find the credentials under the service's data folder, and are refused without them.
      assertThat(deadLetters(url, orderflow.config().dataDir())).startsWith("0 ");
      Path elsewhere = Files.createTempDirectory("orderflow-no-token-");
      assertThat(deadLetters(url, elsewhere)).startsWith("1 ").contains("Authorization");
    }
  }

  /** {@code bin/deadletters --nats url list} with {@code dataDir} as its data folder: its exit status and output. */
  private static String deadLetters(String url, Path dataDir) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bin/deadletters", "--nats", url, "list").redirectErrorStream(true);
    builder.environment().put("ORDERFLOW_DATA_DIR", dataDir.toString());
    Process tool = builder.start();
    String output = new String(tool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(tool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return tool.exitValue() + " " + output;
  }
}
