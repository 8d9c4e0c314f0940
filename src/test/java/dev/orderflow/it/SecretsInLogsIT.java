package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.NatsTestServer;
import io.nats.NatsServerRunner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run with credentials")
class SecretsInLogsIT {

  private static final Logger SERVER_LOG = Logger.getLogger("nats-server");

  @Test
  @DisplayName("writes none of its secrets (NATS password, API signing secret, fault token, bearer tokens) "
      + "to its logs or metrics")
  void noSecretsInLogs() throws Exception {
    SERVER_LOG.setLevel(Level.WARNING);
    Path jar = Path.of("target/orderflow.jar").toAbsolutePath();
    assertThat(jar).as("the jar (mvn package builds it before the integration tests)").exists();
    String natsPassword = secret("nats");
    String hmacSecret = secret("hmac") + secret("more");
    String faultsToken = secret("faults");
    Path store = Files.createTempDirectory("orderflow-secrets-nats-");
    Path data = Files.createTempDirectory("orderflow-secrets-data-");
    Path log = data.resolve("orderflow.log");
    NatsServerRunner nats = natsWithPassword(store, natsPassword);
    int httpPort = NatsTestServer.freePort();
    int gatewayPort = NatsTestServer.freePort();
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("ORDERFLOW_NATS_URL", "nats://127.0.0.1:" + nats.getPort());
    env.put("ORDERFLOW_NATS_USER", "orderflow");
    env.put("ORDERFLOW_NATS_PASSWORD", natsPassword);
    env.put("ORDERFLOW_AUTH_HMAC_SECRET", hmacSecret);
    env.put("ORDERFLOW_AUTH_ISSUER", "secrets-test");
    env.put("ORDERFLOW_GATEWAY_FAULTS_TOKEN", faultsToken);
    env.put("ORDERFLOW_HTTP_PORT", Integer.toString(httpPort));
    env.put("ORDERFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    env.put("ORDERFLOW_GATEWAY_URL", "http://127.0.0.1:" + gatewayPort);
    env.put("ORDERFLOW_DATA_DIR", data.toString());
    env.put("ORDERFLOW_LOG_LEVEL", "DEBUG");
    Process orderflow = builder.start();
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI api = URI.create("http://127.0.0.1:" + httpPort);
      Eventually.eventually(() -> {
        assertThat(orderflow.isAlive()).as(() -> "orderflow exited:\n" + read(log)).isTrue();
        return http.send(HttpRequest.newBuilder(api.resolve("/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
      }, status -> status == 200);
      String token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
              .setAlgorithm("HS256").setBuffer(hmacSecret)))
          .generateToken(new JsonObject().put("roles", List.of("operator")), new JWTOptions().setAlgorithm("HS256")
              .setSubject("sam").setIssuer("secrets-test").setAudience(List.of("orderflow")).setExpiresInSeconds(600));
      HttpResponse<String> placed = http.send(HttpRequest.newBuilder(api.resolve("/orders"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"customerId\":\"sam\",\"items\":[{\"sku\":\"MUG-LOGO\","
              + "\"quantity\":1}]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(placed.statusCode()).isEqualTo(202);
      String location = placed.headers().firstValue("Location").orElseThrow();
      Eventually.eventually(() -> http.send(HttpRequest.newBuilder(api.resolve(location))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body(),
          body -> body.contains("SHIPPED"));
      // Refused attempts, which a careless service might log with what they carried.
      http.send(HttpRequest.newBuilder(api.resolve("/orders/x")).header("Authorization", "Bearer " + token + "x")
          .build(), HttpResponse.BodyHandlers.ofString());
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/v1/faults"))
          .header("Authorization", "Bearer " + faultsToken + "-wrong")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"outage\":false}")).build(),
          HttpResponse.BodyHandlers.ofString());
      String metrics = http.send(HttpRequest.newBuilder(api.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();

      orderflow.destroy();
      assertThat(orderflow.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String logs = read(log);
      assertThat(logs).contains("API authentication: bearer JWTs signed with HS256 and the HMAC secret from "
          + "environment variable ORDERFLOW_AUTH_HMAC_SECRET");
      for (String secret : List.of(natsPassword, hmacSecret, faultsToken, token, token.split("\\.")[2])) {
        assertThat(logs).as("logs").doesNotContain(secret);
        assertThat(metrics).as("metrics").doesNotContain(secret);
      }
    } finally {
      orderflow.destroyForcibly().waitFor();
      vertx.close();
      nats.shutdown();
      Files.deleteIfExists(Path.of(nats.getConfigFile()));
      for (Path root : new Path[] {store, data}) {
        try (var files = Files.walk(root)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  @DisplayName("names a NATS URL that carries a password without it: when refused, when not there yet, and when "
      + "connected")
  void noPasswordFromTheNatsUrl() throws Exception {
    SERVER_LOG.setLevel(Level.WARNING);
    Path jar = Path.of("target/orderflow.jar").toAbsolutePath();
    assertThat(jar).as("the jar (mvn package builds it before the integration tests)").exists();
    String natsPassword = secret("nats");
    String wrongPassword = secret("wrong");
    String absentPassword = secret("absent");
    Path store = Files.createTempDirectory("orderflow-secrets-nats-");
    Path data = Files.createTempDirectory("orderflow-secrets-data-");
    NatsServerRunner nats = natsWithPassword(store, natsPassword);
    Path quickStart = data.resolve("quick-start.json");
    Files.writeString(quickStart, "{\"nats\": {\"startupTimeoutSeconds\": 2}}");
    List<Process> started = new java.util.ArrayList<>();
    try {
      // Refused: a wrong password in the URL stops start-up with a message that names the server, not the password.
      Path refusedLog = data.resolve("refused.log");
      Process refused = start(jar, urlEnvironment("nats://orderflow:" + wrongPassword + "@127.0.0.1:" + nats.getPort(),
          data.resolve("refused")), refusedLog, started);
      assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(read(refusedLog)).contains("refused the credentials")
          .contains("nats://***@127.0.0.1:" + nats.getPort()).doesNotContain(wrongPassword);

      // Not there yet: the warnings while waiting and the final error name the server without the password.
      Path absentLog = data.resolve("absent.log");
      Map<String, String> absentEnv = urlEnvironment("nats://orderflow:" + absentPassword + "@127.0.0.1:"
          + NatsTestServer.freePort(), data.resolve("absent"));
      absentEnv.put("ORDERFLOW_CONFIG", quickStart.toString());
      Process absent = start(jar, absentEnv, absentLog, started);
      assertThat(absent.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(read(absentLog)).contains("is not ready yet").contains("was not ready within")
          .doesNotContain(absentPassword);

      // Connected: the connection's lines, the health answers and the metrics.
      Path runningLog = data.resolve("running.log");
      int httpPort = NatsTestServer.freePort();
      Map<String, String> env = urlEnvironment("nats://orderflow:" + natsPassword + "@127.0.0.1:" + nats.getPort(),
          data.resolve("running"));
      env.put("ORDERFLOW_HTTP_PORT", Integer.toString(httpPort));
      Process orderflow = start(jar, env, runningLog, started);
      HttpClient http = HttpClient.newHttpClient();
      URI api = URI.create("http://127.0.0.1:" + httpPort);
      String ready = Eventually.eventually(() -> {
        assertThat(orderflow.isAlive()).as(() -> "orderflow exited:\n" + read(runningLog)).isTrue();
        return http.send(HttpRequest.newBuilder(api.resolve("/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
      }, response -> response.statusCode() == 200).body();
      String metrics = http.send(HttpRequest.newBuilder(api.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      orderflow.destroy();
      assertThat(orderflow.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(read(runningLog)).contains("nats://***@127.0.0.1:" + nats.getPort()).doesNotContain(natsPassword);
      assertThat(ready).doesNotContain(natsPassword);
      assertThat(metrics).doesNotContain(natsPassword);
    } finally {
      for (Process process : started) {
        process.destroyForcibly().waitFor();
      }
      nats.shutdown();
      Files.deleteIfExists(Path.of(nats.getConfigFile()));
      for (Path root : new Path[] {store, data}) {
        try (var files = Files.walk(root)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** The environment of a run against {@code natsUrl}, with the API's key and a gateway port of its own. */
  private static Map<String, String> urlEnvironment(String natsUrl, Path dataDir) throws java.io.IOException {
    int gatewayPort = NatsTestServer.freePort();
    Map<String, String> env = new java.util.HashMap<>();
    env.put("ORDERFLOW_NATS_URL", natsUrl);
    env.put("ORDERFLOW_AUTH_HMAC_SECRET", secret("hmac") + secret("more"));
    env.put("ORDERFLOW_HTTP_PORT", Integer.toString(NatsTestServer.freePort()));
    env.put("ORDERFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    env.put("ORDERFLOW_GATEWAY_URL", "http://127.0.0.1:" + gatewayPort);
    env.put("ORDERFLOW_DATA_DIR", dataDir.toString());
    env.put("ORDERFLOW_LOG_LEVEL", "DEBUG");
    return env;
  }

  private static Process start(Path jar, Map<String, String> env, Path log, List<Process> started)
      throws java.io.IOException {
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static String secret(String name) {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    return name + "-" + HexFormat.of().formatHex(random);
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** A nats-server on a free port, JetStream in {@code store}, for user {@code orderflow} with {@code password}. */
  private static NatsServerRunner natsWithPassword(Path store, String password) throws Exception {
    return NatsServerRunner.builder()
        .executablePath(NatsTestServer.executable())
        .port(NatsTestServer.freePort())
        .jetstream(true)
        .configInserts(new String[] {"jetstream { store_dir: \"" + store + "\" }",
            "authorization { user: orderflow, password: \"" + password + "\" }"})
        .outputLogger(SERVER_LOG)
        .build();
  }
}
