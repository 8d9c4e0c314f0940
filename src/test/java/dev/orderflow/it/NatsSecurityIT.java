package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.config.ConfigException;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestCertificates;
import dev.orderflow.testing.TestOrderflow;
import io.nats.NatsServerRunner;
import io.nats.client.NKey;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NATS with credentials and TLS")
class NatsSecurityIT {

  private static final Logger SERVER_LOG = Logger.getLogger("nats-server");
  private static final String PASSWORD = "pw-" + Long.toHexString(new SecureRandom().nextLong()) + "-x";
  private static Path folder;
  private static TestCertificates pki;

  @BeforeAll
  static void pki() throws Exception {
    SERVER_LOG.setLevel(Level.WARNING);
    folder = Files.createTempDirectory("orderflow-nats-security-");
    pki = TestCertificates.create(folder.resolve("pki"));
  }

  @AfterAll
  static void clean() throws Exception {
    try (var files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  @DisplayName("connects with user and password, and refuses to start, naming the problem but not the password, "
      + "with a wrong one")
  void userAndPassword() throws Exception {
    try (Server nats = Server.start("authorization { user: orderflow, password: \"" + PASSWORD + "\" }")) {
      runsAnOrder(nats.url(), auth("user", "orderflow", "passwordFile", secretFile("password", PASSWORD)));
      // The operator's tools connect with the service's settings, and without them are kept out.
      ToolRun listed = deadLetters(nats.url(), Map.of("ORDERFLOW_NATS_USER", "orderflow",
          "ORDERFLOW_NATS_PASSWORD", PASSWORD));
      assertThat(listed.exit()).as(listed.output()).isZero();
      assertThat(listed.output()).contains("original subject");
      ToolRun refused = deadLetters(nats.url(), Map.of());
      assertThat(refused.exit()).as(refused.output()).isEqualTo(1);
      assertThat(refused.output()).contains("error:").doesNotContain(PASSWORD);
      assertRefused(nats.url(), auth("user", "orderflow", "passwordFile", secretFile("wrong", "not-" + PASSWORD)),
          "refused the credentials", "not-" + PASSWORD);
      assertRefused(nats.url(), new JsonObject(), "refused the credentials", PASSWORD);
    }
  }

  @Test
  @DisplayName("connects with a token")
  void token() throws Exception {
    String token = "tok-" + Long.toHexString(new SecureRandom().nextLong());
    try (Server nats = Server.start("authorization { token: \"" + token + "\" }")) {
      runsAnOrder(nats.url(), auth("tokenFile", secretFile("token", token)));
      assertRefused(nats.url(), auth("tokenFile", secretFile("wrong-token", token + "x")), "refused the credentials",
          token + "x");
    }
  }

  @Test
  @DisplayName("connects with an nkey seed")
  void nkey() throws Exception {
    NKey user = NKey.createUser(new SecureRandom());
    String seed = new String(user.getSeed());
    try (Server nats = Server.start("authorization { users: [ { nkey: " + new String(user.getPublicKey()) + " } ] }")) {
      runsAnOrder(nats.url(), auth("nkeySeedFile", secretFile("seed", seed)));
      NKey stranger = NKey.createUser(new SecureRandom());
      assertRefused(nats.url(), auth("nkeySeedFile", secretFile("other-seed", new String(stranger.getSeed()))),
          "refused the credentials", new String(stranger.getSeed()));
    }
  }

  @Test
  @DisplayName("connects over TLS (server certificate checked against the CA, client certificate presented)")
  void tls() throws Exception {
    String tlsBlock = "tls { cert_file: \"" + pki.serverCert() + "\", key_file: \"" + pki.serverKey()
        + "\", ca_file: \"" + pki.ca() + "\", verify: true }\n"
        + "authorization { user: orderflow, password: \"" + PASSWORD + "\" }";
    try (Server nats = Server.start(tlsBlock)) {
      JsonObject settings = auth("user", "orderflow", "passwordFile", secretFile("tls-password", PASSWORD));
      settings.getJsonObject("nats").put("tls", new JsonObject().put("caFile", pki.ca().toString())
          .put("certFile", pki.clientCert().toString()).put("keyFile", pki.clientKey().toString()));
      runsAnOrder(nats.url(), settings);

      TestCertificates stranger = pki.other();
      JsonObject wrongCa = settings.copy();
      wrongCa.getJsonObject("nats").getJsonObject("tls").put("caFile", stranger.ca().toString());
      assertRefused(nats.url(), wrongCa, "TLS to NATS", PASSWORD);
    }
  }

  @Test
  @DisplayName("with TLS configured, never sends the credentials to a server that offers no TLS")
  void noCredentialsInClear() throws Exception {
    try (ServerSocket impostor = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
        try (Socket client = impostor.accept()) {
          client.getOutputStream().write(("INFO {\"server_id\":\"impostor\",\"version\":\"2.11.0\",\"proto\":1,"
              + "\"max_payload\":1048576,\"auth_required\":true,\"headers\":true}\r\n")
              .getBytes(StandardCharsets.UTF_8));
          client.setSoTimeout(3000);
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          InputStream in = client.getInputStream();
          byte[] buffer = new byte[4096];
          try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
              bytes.write(buffer, 0, n);
            }
          } catch (java.net.SocketTimeoutException quiet) {
            // the client said all it will say
          }
          return bytes.toString(StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
          return "error: " + e;
        }
      });
      JsonObject settings = auth("user", "orderflow", "passwordFile", secretFile("clear-password", PASSWORD));
      settings.getJsonObject("nats").put("tls", new JsonObject().put("caFile", pki.ca().toString()));
      String url = "nats://127.0.0.1:" + impostor.getLocalPort();
      assertRefused(url, settings, "TLS to NATS", PASSWORD);
      String sent = received.get(10, TimeUnit.SECONDS);
      assertThat(sent).doesNotContain(PASSWORD).doesNotContain("CONNECT");
    }
  }

  private record ToolRun(int exit, String output) {}

  /** {@code bin/deadletters list}, run as an operator runs it: a process of its own with {@code environment}. */
  private static ToolRun deadLetters(String url, Map<String, String> environment) throws Exception {
    ProcessBuilder tool = new ProcessBuilder("bin/deadletters", "--nats", url, "list").redirectErrorStream(true);
    tool.environment().keySet().removeIf(name -> name.startsWith("ORDERFLOW_"));
    tool.environment().putAll(environment);
    Process process = tool.start();
    try {
      // The tool gives up on a connection within 5 s; its output ends when it exits.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new ToolRun(process.exitValue(), output);
    } finally {
      process.destroyForcibly();
    }
  }

  private static void runsAnOrder(String url, JsonObject settings) throws Exception {
    settings.getJsonObject("nats").put("url", url);
    try (TestOrderflow app = TestOrderflow.start(null, settings)) {
      String orderId = app.placeOrder("nina", Map.of("MUG-LOGO", 1));
      app.awaitStatus(orderId, "SHIPPED");
    }
  }

  private static void assertRefused(String url, JsonObject settings, String reason, String secret) {
    JsonObject withUrl = settings.copy();
    withUrl.put("nats", withUrl.getJsonObject("nats", new JsonObject()).put("url", url));
    assertThatThrownBy(() -> TestOrderflow.start(null, withUrl).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
  }

  private static JsonObject auth(String... settings) {
    JsonObject auth = new JsonObject();
    for (int i = 0; i + 1 < settings.length; i += 2) {
      auth.put(settings[i], settings[i + 1]);
    }
    return new JsonObject().put("nats", new JsonObject().put("auth", auth));
  }

  private static String secretFile(String name, String secret) throws Exception {
    Path file = folder.resolve(name);
    Files.writeString(file, secret + "\n");
    return file.toString();
  }

  /** A nats-server with JetStream and the given configuration, on a free port with a temporary store. */
  private record Server(NatsServerRunner runner, Path store) implements AutoCloseable {

    static Server start(String config) throws Exception {
      Path store = Files.createTempDirectory("orderflow-nats-secured-");
      NatsServerRunner runner = NatsServerRunner.builder()
          .executablePath(NatsTestServer.executable())
          .port(NatsTestServer.freePort())
          .jetstream(true)
          .configInserts(new String[] {"jetstream { store_dir: \"" + store + "\" }", config})
          .outputLogger(SERVER_LOG)
          .build();
      return new Server(runner, store);
    }

    String url() {
      return "nats://127.0.0.1:" + runner.getPort();
    }

    @Override
    public void close() throws Exception {
      runner.shutdown();
      Files.deleteIfExists(Path.of(runner.getConfigFile()));
      try (var files = Files.walk(store)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
