package dev.orderflow.testing;

import dev.orderflow.Orderflow;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.config.OrderflowConfig;
import dev.orderflow.observability.Observability;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * An Orderflow process (every role by default) running inside the test JVM against a {@link NatsTestServer},
 * with an HTTP client for its API and its gateway simulator. Retries and timeouts are shortened so that failure
 * paths finish in seconds. The API checks tokens signed with a test HMAC secret; the client signs its own
 * ({@link #token}): an operator's for GETs, and for {@code POST /orders} one of the customer the body names, unless
 * the caller passes its own {@code Authorization} header.
 */
public final class TestOrderflow implements AutoCloseable {

  /** The issuer of the test API's tokens; the API requires it. */
  public static final String TEST_ISSUER = "orderflow-test";

  private final Vertx vertx;
  private final Orderflow app;
  private final OrderflowConfig config;
  private final Observability observability;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JWTAuth tokens;
  /** The folder the test settings made (the data folder, unless the test named its own; the key is in it). */
  private final Path scratch;

  private TestOrderflow(Vertx vertx, Orderflow app, OrderflowConfig config, Observability observability,
      Path scratch) {
    this.scratch = scratch;
    this.vertx = vertx;
    this.app = app;
    this.config = config;
    this.observability = observability;
    this.tokens = config.auth().hmacSecret().present() ? JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.auth().hmacSecret().reveal())))
        : null;
  }

  /** A token the test API accepts, valid for an hour: of customer {@code subject}, and an operator if asked. */
  public String token(String subject, boolean operator) {
    return token(subject, operator, new JWTOptions().setExpiresInSeconds(3600));
  }

  /**
   * A token with the test key and {@code claims} as they are (issuer and audience added only when absent; no expiry
   * unless {@code claims} has one), for tests of tokens the API must refuse. An empty subject leaves it out.
   */
  public String tokenWithClaims(String subject, JsonObject claims) {
    JWTOptions options = new JWTOptions().setAlgorithm("HS256");
    JsonObject payload = claims.copy();
    if (!subject.isEmpty()) {
      payload.put("sub", subject);
    }
    if (!payload.containsKey("iss")) {
      payload.put("iss", TEST_ISSUER);
    }
    if (!payload.containsKey("aud")) {
      payload.put("aud", "orderflow");
    }
    return tokens.generateToken(payload, options);
  }

  /** A token with the test key and the test issuer and audience, and {@code options} (e.g. expiry) over them. */
  public String token(String subject, boolean operator, JWTOptions options) {
    options.setAlgorithm("HS256").setSubject(subject).setIssuer(TEST_ISSUER);
    if (options.getAudience() == null || options.getAudience().isEmpty()) {
      options.setAudience(java.util.List.of("orderflow"));
    }
    JsonObject claims = operator ? new JsonObject().put("roles", new JsonArray().add("operator")) : new JsonObject();
    return tokens.generateToken(claims, options);
  }

  /** Settings for fast tests, merged under {@code overrides}; {@code nats} may be null when overrides name one. */
  public static JsonObject testSettings(NatsTestServer nats) throws IOException {
    int gatewayPort = NatsTestServer.freePort();
    Path dataDir = Files.createTempDirectory("orderflow-data-");
    // The API's key: a random HMAC secret in a file, as a production deployment would mount one.
    Path secret = dataDir.resolve("test-hmac-secret");
    Files.writeString(secret, java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID());
    return new JsonObject()
        .put("roles", "orders,inventory,payments,shipping,gateway")
        .put("dataDir", dataDir.toString())
        .put("auth", new JsonObject().put("algorithm", "HS256").put("hmacSecretFile", secret.toString())
            .put("issuer", TEST_ISSUER))
        .put("http", new JsonObject().put("port", 0).put("instances", 1))
        .put("nats", new JsonObject().put("url", nats == null ? "" : nats.url()))
        .put("consumers", new JsonObject()
            .put("ackWaitMs", 5000)
            .put("maxDeliver", 6)
            .put("backoffInitialMs", 50)
            .put("backoffMaxMs", 400))
        .put("payments", new JsonObject()
            .put("gatewayUrl", "http://127.0.0.1:" + gatewayPort)
            .put("requestTimeoutMs", 1000)
            .put("breaker", new JsonObject().put("maxFailures", 3).put("resetTimeoutMs", 300)))
        .put("gateway", new JsonObject().put("port", gatewayPort));
  }

  public static TestOrderflow start(NatsTestServer nats) throws IOException {
    return start(nats, new JsonObject());
  }

  public static TestOrderflow start(NatsTestServer nats, JsonObject overrides) throws IOException {
    return start(nats, overrides, OpenTelemetrySdk.builder()
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build());
  }

  /** Starts with the given OpenTelemetry (for example one exporting to memory), which the caller closes. */
  public static TestOrderflow start(NatsTestServer nats, JsonObject overrides, OpenTelemetry openTelemetry)
      throws IOException {
    JsonObject settings = testSettings(nats);
    Path scratch = Path.of(settings.getString("dataDir"));
    OrderflowConfig config = ConfigLoader.loadNow(settings.mergeIn(overrides, true));
    Observability observability = Observability.using(openTelemetry);
    Vertx vertx = observability.vertx(config.transport());
    try {
      Orderflow app = Orderflow.start(vertx, config, observability).await();
      return new TestOrderflow(vertx, app, config, observability, scratch);
    } catch (RuntimeException e) {
      vertx.close().await();
      deleteTree(scratch);
      throw e;
    }
  }

  /** The text of {@code GET /metrics}. */
  public String metrics() throws Exception {
    return get("/metrics").body();
  }

  public OrderflowConfig config() {
    return config;
  }

  /** The port the API (and {@code /metrics}) listens on. */
  public int httpPort() {
    return app.httpPort();
  }

  /** {@code POST path} with a JSON body and optional extra headers (name, value, name, value...). */
  public HttpResponse<String> post(String path, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(api(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    java.util.function.Supplier<String> token = path.startsWith("/orders")
        ? () -> token(customerOf(body), false) : () -> token("test-operator", true);
    return http.send(withHeaders(request, token, headers).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> postJson(String path, JsonObject body, String... headers) throws Exception {
    return post(path, "application/json", body.encode(), headers);
  }

  /** {@code GET path} as an operator, unless {@code headers} (name, value...) carry an Authorization of their own. */
  public HttpResponse<String> get(String path, String... headers) throws Exception {
    return http.send(withHeaders(HttpRequest.newBuilder(api(path)).GET(), () -> token("test-operator", true), headers)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Adds {@code headers}, and a bearer {@code token} unless they hold an Authorization header (empty: none). */
  private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, java.util.function.Supplier<String> token,
      String... headers) {
    boolean own = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      own |= headers[i].equalsIgnoreCase("Authorization");
      if (!headers[i + 1].isEmpty()) {
        request.header(headers[i], headers[i + 1]);
      }
    }
    if (!own) {
      request.header("Authorization", "Bearer " + token.get());
    }
    return request;
  }

  /** The customer an order body names, so that the default token is that customer's. */
  private static String customerOf(String body) {
    try {
      Object customer = new JsonObject(body).getValue("customerId");
      return customer instanceof String id && !id.isEmpty() && id.length() < 200 ? id : "test-customer";
    } catch (RuntimeException notAnOrder) {
      return "test-customer";
    }
  }

  /** Places an order and returns its id, failing unless it was accepted. */
  public String placeOrder(String customerId, Map<String, Integer> items) throws Exception {
    HttpResponse<String> response = postJson("/orders", order(customerId, items));
    if (response.statusCode() != 202) {
      throw new AssertionError("order not accepted: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body()).getString("orderId");
  }

  /** {@code POST /orders/{id}/cancel} as {@code customerId} (null: as an operator). */
  public HttpResponse<String> cancel(String orderId, String customerId) throws Exception {
    String bearer = customerId == null ? token("test-operator", true) : token(customerId, false);
    return post("/orders/" + orderId + "/cancel", null, "", "Authorization", "Bearer " + bearer);
  }

  /** The order view, or null while there is none. */
  public JsonObject order(String orderId) throws Exception {
    HttpResponse<String> response = get("/orders/" + orderId);
    return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
  }

  /** Polls until the order reaches {@code status}, and returns its view. */
  public JsonObject awaitStatus(String orderId, String status) {
    return Eventually.eventually(() -> order(orderId), view -> view != null && status.equals(view.getString("status")));
  }

  public JsonObject stock(String sku) throws Exception {
    return new JsonObject(get("/inventory/" + sku).body());
  }

  /** The charges the gateway simulator made for {@code orderId}. */
  public JsonArray charges(String orderId) throws Exception {
    HttpResponse<String> response = http.send(
        gatewayToken(HttpRequest.newBuilder(gateway("/v1/charges?orderId=" + orderId))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("charge log answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body()).getJsonArray("charges");
  }

  /** Changes the gateway simulator's faults ({@code PUT /v1/faults}). */
  public void gatewayFaults(JsonObject faults) throws Exception {
    HttpResponse<String> response = http.send(gatewayToken(HttpRequest.newBuilder(gateway("/v1/faults")))
        .PUT(HttpRequest.BodyPublishers.ofString(faults.encode()))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("faults not accepted: " + response.body());
    }
  }

  public static JsonObject order(String customerId, Map<String, Integer> items) {
    JsonArray lines = new JsonArray();
    items.forEach((sku, quantity) -> lines.add(new JsonObject().put("sku", sku).put("quantity", quantity)));
    return new JsonObject().put("customerId", customerId).put("items", lines);
  }

  @Override
  public void close() throws Exception {
    try {
      app.stop().await();
    } finally {
      vertx.close().await();
      observability.close();
      deleteTree(scratch); // a data folder the test named is the test's to delete
    }
  }

  /** The base URI of the API. */
  public URI api() {
    return URI.create("http://127.0.0.1:" + app.httpPort());
  }

  /** The running process (its ports). */
  public Orderflow app() {
    return app;
  }

  private URI api(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }

  /** The simulator's token on {@code request}, when it has one (then it needs it for everything). */
  private HttpRequest.Builder gatewayToken(HttpRequest.Builder request) {
    if (config.gateway().faultsToken().present()) {
      request.header("Authorization", "Bearer " + config.gateway().faultsToken().reveal());
    }
    return request;
  }

  private URI gateway(String path) {
    return URI.create("http://127.0.0.1:" + config.gateway().port() + path);
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var files = Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
