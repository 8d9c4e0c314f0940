package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.orderflow.config.ConfigException;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Security settings")
class SecuritySettingsIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static NatsTestServer nats;

  @BeforeAll
  static void startNats() {
    nats = NatsTestServer.start();
  }

  @AfterAll
  static void stopNats() {
    nats.close();
  }

  @Test
  @DisplayName("a production configuration (a NATS URL) without keys refuses to start and says what to configure")
  void productionNeedsKeys() {
    JsonObject noKeys = new JsonObject().put("auth", new JsonObject().put("hmacSecretFile", ""));
    assertThatThrownBy(() -> TestOrderflow.start(nats, noKeys).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no keys")
        .hasMessageContaining("ORDERFLOW_AUTH_HMAC_SECRET");
    JsonObject explicit = new JsonObject().put("nats", new JsonObject().put("url", ""))
        .put("embeddedNats", new JsonObject().put("executable", NatsTestServer.executable().toString())
            .put("port", NatsTestServer.freePort()))
        .put("auth", new JsonObject().put("hmacSecretFile", "").put("mode", "production"));
    assertThatThrownBy(() -> TestOrderflow.start(null, explicit).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.mode is production");
  }

  @Test
  @DisplayName("the embedded default runs in development mode with demo tokens that work, and keep customers apart")
  void developmentMode() throws Exception {
    Path dataDir = Files.createTempDirectory("orderflow-dev-");
    // A link planted where a token file goes must be replaced, not written through.
    Path elsewhere = Files.writeString(dataDir.resolve("not-a-token"), "untouched");
    Files.createDirectories(dataDir.resolve("dev-tokens"));
    Files.createSymbolicLink(dataDir.resolve("dev-tokens").resolve("alice"), elsewhere);
    JsonObject settings = new JsonObject().put("nats", new JsonObject().put("url", ""))
        .put("dataDir", dataDir.toString())
        .put("embeddedNats", new JsonObject().put("executable", NatsTestServer.executable().toString())
            .put("port", NatsTestServer.freePort()))
        .put("auth", new JsonObject().put("hmacSecretFile", "").put("issuer", ""));
    try (TestOrderflow app = TestOrderflow.start(null, settings)) {
      Path tokens = app.config().dataDir().resolve("dev-tokens");
      assertThat(Files.readString(elsewhere)).isEqualTo("untouched");
      for (String name : new String[] {"alice", "bob", "operator"}) {
        assertThat(Files.isSymbolicLink(tokens.resolve(name))).as(name).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens.resolve(name)))).as(name)
            .isEqualTo("rw-------");
      }
      try (var left = Files.list(tokens)) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("alice", "bob", "operator");
      }
      String alice = Files.readString(tokens.resolve("alice"));
      String bob = Files.readString(tokens.resolve("bob"));
      String operator = Files.readString(tokens.resolve("operator"));
      HttpResponse<String> placed = send(HttpRequest.newBuilder(app.api().resolve("/orders"))
          .header("Content-Type", "application/json").header("Authorization", "Bearer " + alice)
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}")));
      assertThat(placed.statusCode()).isEqualTo(202);
      String location = placed.headers().firstValue("Location").orElseThrow();
      assertThat(get(app.api().resolve(location), operator).statusCode()).isEqualTo(200);
      assertThat(get(app.api().resolve(location), bob).statusCode()).isEqualTo(404);
      assertThat(get(app.api().resolve("/inventory/MUG-LOGO"), operator).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("with auth.maxTokenLifetimeMinutes, refuses tokens issued for longer (from iat, or from now)")
  void maxTokenLifetime() throws Exception {
    JsonObject capped = new JsonObject().put("auth", new JsonObject().put("maxTokenLifetimeMinutes", 60));
    try (TestOrderflow app = TestOrderflow.start(nats, capped)) {
      long now = System.currentTimeMillis() / 1000;
      String halfHour = app.tokenWithClaims("test-operator", new JsonObject().put("exp", now + 1800)
          .put("roles", new io.vertx.core.json.JsonArray().add("operator")));
      String twoHours = app.tokenWithClaims("test-operator", new JsonObject().put("exp", now + 7200)
          .put("roles", new io.vertx.core.json.JsonArray().add("operator")));
      String issuedLongAgo = app.tokenWithClaims("test-operator", new JsonObject().put("exp", now + 1800)
          .put("iat", now - 7200).put("roles", new io.vertx.core.json.JsonArray().add("operator")));
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + halfHour).statusCode()).isEqualTo(200);
      HttpResponse<String> tooLong = app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + twoHours);
      assertThat(tooLong.statusCode()).isEqualTo(401);
      ApiAccessIT.assertProblem(tooLong, "unauthorized");
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + issuedLongAgo).statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  @DisplayName("the gateway simulator's fault switch refuses callers from other machines, and without its token")
  void gatewayFaults() throws Exception {
    Optional<InetAddress> lan = lanAddress();
    JsonObject open = new JsonObject().put("gateway", new JsonObject().put("host", "0.0.0.0"));
    try (TestOrderflow app = TestOrderflow.start(nats, open)) {
      int port = app.config().gateway().port();
      assertThat(putFaults("127.0.0.1", port, null).statusCode()).isEqualTo(200);
      assumeThat(lan).as("a non-loopback address on this machine").isPresent();
      HttpResponse<String> outsider = putFaults(lan.get().getHostAddress(), port, null);
      assertThat(outsider.statusCode()).isEqualTo(403);
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://" + lan.get().getHostAddress() + ":" + port
          + "/v1/faults")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    }
    Path tokenFile = Files.createTempFile("faults-token-", "");
    Files.writeString(tokenFile, "faults-token-for-the-test\n");
    JsonObject guarded = new JsonObject().put("gateway", new JsonObject().put("faultsTokenFile", tokenFile.toString()));
    try (TestOrderflow app = TestOrderflow.start(nats, guarded)) {
      int port = app.config().gateway().port();
      assertThat(putFaults("127.0.0.1", port, null).statusCode()).isEqualTo(401);
      assertThat(putFaults("127.0.0.1", port, "wrong").statusCode()).isEqualTo(401);
      assertThat(putFaults("127.0.0.1", port, "faults-token-for-the-test").statusCode()).isEqualTo(200);
      // Payments presents the token with each charge; the charge log needs it too.
      String orderId = app.placeOrder("tess", java.util.Map.of("MUG-LOGO", 1));
      app.awaitStatus(orderId, "SHIPPED");
      assertThat(app.charges(orderId)).hasSize(1);
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/charges?orderId="
          + orderId)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    } finally {
      Files.deleteIfExists(tokenFile);
    }
  }

  @Test
  @DisplayName("limits each client's request rate with 429 problem+json and Retry-After")
  void rateLimit() throws Exception {
    JsonObject limited = new JsonObject().put("limits", new JsonObject()
        .put("requestsPerSecond", 2).put("burst", 5).put("exemptClients", ""));
    try (TestOrderflow app = TestOrderflow.start(nats, limited)) {
      int tooMany = 0;
      HttpResponse<String> last = null;
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> response = app.get("/inventory/MUG-LOGO");
        if (response.statusCode() == 429) {
          tooMany++;
          last = response;
        }
      }
      assertThat(tooMany).isGreaterThanOrEqualTo(10);
      assertThat(last.headers().firstValue("Retry-After"))
          .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
      ApiAccessIT.assertProblem(last, "too-many-requests");
      for (int i = 0; i < 10; i++) {
        assertThat(app.get("/health/live").statusCode()).as("health is not limited").isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("protects /metrics with an operator token, or serves it on a management port only")
  void metrics() throws Exception {
    JsonObject protectedMetrics = new JsonObject().put("auth", new JsonObject().put("metricsAccess", "operator"));
    try (TestOrderflow app = TestOrderflow.start(nats, protectedMetrics)) {
      assertThat(app.get("/metrics", "Authorization", "").statusCode()).isEqualTo(401);
      assertThat(app.get("/metrics", "Authorization", "Bearer " + app.token("alice", false)).statusCode())
          .isEqualTo(403);
      assertThat(app.get("/metrics").statusCode()).isEqualTo(200);
    }
    JsonObject management = new JsonObject().put("management", new JsonObject().put("enabled", true).put("port", 0));
    try (TestOrderflow app = TestOrderflow.start(nats, management)) {
      assertThat(app.get("/metrics").statusCode()).isEqualTo(404);
      HttpResponse<String> scraped = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + app.app().managementPort() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.body()).contains("orderflow_");
    }
  }

  private static HttpResponse<String> putFaults(String host, int port, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/faults"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"outage\":false}"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(URI uri, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<InetAddress> lanAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return Optional.of(address);
          }
        }
      }
    }
    return Optional.empty();
  }
}
