package dev.orderflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.config.GatewayConfig;
import dev.orderflow.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simulator's charge API over real HTTP: idempotency by key, the charge log by order and by page. */
@DisplayName("Gateway simulator")
class GatewaySimulatorComponentTest {

  private static final String TOKEN = "simulator-token-for-the-test";
  private static Vertx vertx;
  private static int port;
  /** A second simulator, with a token configured. */
  private static int guardedPort;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    GatewaySimulatorVerticle simulator =
        new GatewaySimulatorVerticle(new GatewayConfig("127.0.0.1", 0, Duration.ZERO, 0, 0, Secret.none()));
    vertx.deployVerticle(simulator).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = simulator.port();
    GatewaySimulatorVerticle guarded = new GatewaySimulatorVerticle(
        new GatewayConfig("127.0.0.1", 0, Duration.ZERO, 0, 0, Secret.of(TOKEN, "the test")));
    vertx.deployVerticle(guarded).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    guardedPort = guarded.port();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a repeated charge with its key answers the first charge; the same key for another charge is a 422")
  void idempotentByKey() throws Exception {
    JsonObject charge = charge("o-idem", "c-1", 2500);

    HttpResponse<String> first = post("o-idem", charge);
    HttpResponse<String> again = post("o-idem", charge);
    HttpResponse<String> other = post("o-idem", charge("o-idem", "c-1", 2600));

    assertThat(first.statusCode()).isEqualTo(201);
    JsonObject made = new JsonObject(first.body());
    assertThat(made.getString("status")).isEqualTo("AUTHORIZED");
    assertThat(made.getString("chargeId")).startsWith("ch_");
    assertThat(made.getLong("amountMinor")).isEqualTo(2500);
    assertThat(made.getString("currency")).isEqualTo("EUR");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body())).isEqualTo(made);
    assertThat(other.statusCode()).isEqualTo(422);
    JsonObject log = new JsonObject(get("/v1/charges?orderId=o-idem").body());
    assertThat(log.getJsonArray("charges")).hasSize(1);
    assertThat(log.getJsonArray("charges").getJsonObject(0)).isEqualTo(made);
  }

  @Test
  @DisplayName("a declining customer is declined with a reason, and each of an order's charges is in its log")
  void declinedAndLogged() throws Exception {
    HttpResponse<String> declined = post("k-1", charge("o-twice", "decline-c", 100));
    HttpResponse<String> second = post("k-2", charge("o-twice", "c-2", 100));

    assertThat(declined.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(declined.body()).getString("status")).isEqualTo("DECLINED");
    assertThat(new JsonObject(declined.body()).getString("reason")).isEqualTo("card declined");
    assertThat(second.statusCode()).isEqualTo(201);
    JsonObject log = new JsonObject(get("/v1/charges?orderId=o-twice").body());
    assertThat(log.getJsonArray("charges")).extracting(c -> ((JsonObject) c).getString("status"))
        .containsExactly("DECLINED", "AUTHORIZED");
  }

  @Test
  @DisplayName("every charge is listed a page at a time, in the order made")
  void pages() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(post("o-page-" + i, charge("o-page-" + i, "c-1", 1 + i)).statusCode()).isEqualTo(201);
    }
    JsonObject all = new JsonObject(get("/v1/charges?from=0&limit=50000").body());
    int total = all.getInteger("total");
    JsonObject page = new JsonObject(get("/v1/charges?from=" + (total - 5) + "&limit=3").body());

    assertThat(page.getJsonArray("charges")).extracting(c -> ((JsonObject) c).getString("orderId"))
        .containsExactly("o-page-0", "o-page-1", "o-page-2");
    assertThat(page.getInteger("next")).isEqualTo(total - 2);
    assertThat(get("/v1/charges?from=-1").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("a charge without a key or with an invalid body is a 400 and charges nothing")
  void invalid() throws Exception {
    HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(uri("/v1/charges"))
        .POST(HttpRequest.BodyPublishers.ofString(charge("o-bad", "c-1", 1).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> noAmount = post("o-bad", charge("o-bad", "c-1", 0));
    HttpResponse<String> badCurrency = post("o-bad", charge("o-bad", "c-1", 1).put("currency", "eur"));

    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(noAmount.statusCode()).isEqualTo(400);
    assertThat(badCurrency.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(get("/v1/charges?orderId=o-bad").body()).getJsonArray("charges")).isEmpty();
  }

  @Test
  @DisplayName("a refund refunds the order's charge once (same key, same refund) and the charge log shows it")
  void refund() throws Exception {
    JsonObject made = new JsonObject(post("o-refund", charge("o-refund", "c-1", 700)).body());

    HttpResponse<String> first = refund("refund:o-refund", "o-refund");
    HttpResponse<String> again = refund("refund:o-refund", "o-refund");

    assertThat(first.statusCode()).isEqualTo(201);
    JsonObject refund = new JsonObject(first.body());
    assertThat(refund.getString("status")).isEqualTo("REFUNDED");
    assertThat(refund.getString("refundId")).startsWith("re_");
    assertThat(refund.getJsonArray("chargeIds")).containsExactly(made.getString("chargeId"));
    assertThat(refund.getLong("amountMinor")).isEqualTo(700);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body())).isEqualTo(refund);
    assertThat(refund("refund:o-refund", "o-other").statusCode()).isEqualTo(422);
    JsonObject charge = new JsonObject(get("/v1/charges?orderId=o-refund").body()).getJsonArray("charges")
        .getJsonObject(0);
    assertThat(charge.getString("status")).isEqualTo("AUTHORIZED");
    assertThat(charge.getJsonObject("refund").getString("refundId")).isEqualTo(refund.getString("refundId"));
  }

  @Test
  @DisplayName("a refund before any charge voids the payment: a charge asked for later is declined")
  void voidBeforeCharge() throws Exception {
    HttpResponse<String> voided = refund("refund:o-void", "o-void");
    HttpResponse<String> late = post("o-void", charge("o-void", "c-1", 300));

    assertThat(voided.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(voided.body()).getString("status")).isEqualTo("VOIDED");
    assertThat(new JsonObject(voided.body()).getJsonArray("chargeIds")).isEmpty();
    assertThat(new JsonObject(late.body()).getString("status")).isEqualTo("DECLINED");
    assertThat(new JsonObject(late.body()).getString("reason")).startsWith("voided");
    assertThat(refund("", "o-void").statusCode()).as("no key").isEqualTo(400);
  }

  private HttpResponse<String> refund(String key, String orderId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/refunds"))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("orderId", orderId).encode()))
        .header("Content-Type", "application/json");
    if (!key.isEmpty()) {
      request.header("Idempotency-Key", key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("with a token configured, answers every request without it 401, an endpoint it does not have too")
  void tokenForEverything() throws Exception {
    String charge = charge("o-guarded", "c-1", 100).encode();
    for (String request : new String[] {
        "GET /v1/charges?orderId=o-guarded", "GET /v1/charges?from=0", "POST /v1/charges", "GET /v1/faults",
        "PUT /v1/faults", "POST /v1/refunds", "GET /"}) {
      String[] methodAndPath = request.split(" ");
      for (String authorization : new String[] {null, "Bearer wrong", "Basic " + TOKEN, "Bearer " + TOKEN + "x"}) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort
                + methodAndPath[1])).header("Idempotency-Key", "o-guarded")
            .method(methodAndPath[0], HttpRequest.BodyPublishers.ofString(
                methodAndPath[1].contains("faults") ? "{\"outage\":true}" : charge));
        if (authorization != null) {
          builder.header("Authorization", authorization);
        }
        HttpResponse<String> refused = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(request + " with " + authorization).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).as(request).isPresent();
      }
    }
    HttpResponse<String> charged = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort
            + "/v1/charges")).header("Idempotency-Key", "o-guarded").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(charge)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(charged.statusCode()).isEqualTo(201);
    HttpResponse<String> log = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort
            + "/v1/charges?orderId=o-guarded")).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(log.body()).getJsonArray("charges")).hasSize(1);
    HttpResponse<String> faults = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort
            + "/v1/faults")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(faults.body()).getBoolean("outage")).isFalse();
  }

  @Test
  @DisplayName("without a token, serves /v1/faults only to a loopback caller naming a loopback Host (no DNS rebinding)")
  void faultsOnlyForThisMachine() throws Exception {
    for (String host : new String[] {"evil.example:" + port, "evil.example", "127.0.0.1.evil.example", "10.0.0.1",
        "localhost.evil.example"}) {
      assertThat(rawStatus(port, "GET /v1/faults", host)).as("Host " + host).isEqualTo(403);
      assertThat(rawStatus(port, "PUT /v1/faults", host)).as("Host " + host).isEqualTo(403);
    }
    assertThat(rawStatus(port, "PUT /v1/faults", "")).as("no Host").isBetween(400, 403);
    for (String host : new String[] {"localhost:" + port, "LOCALHOST", "127.0.0.1:" + port, "127.0.0.1",
        "[::1]:" + port}) {
      assertThat(rawStatus(port, "GET /v1/faults", host)).as("Host " + host).isEqualTo(200);
    }
    assertThat(rawStatus(port, "PUT /v1/faults", "localhost:" + port)).isEqualTo(200);
    // The charge API keeps its own rules (the simulator listens on loopback by default).
    assertThat(rawStatus(port, "GET /v1/charges?orderId=o-any", "gateway.internal")).isEqualTo(200);
  }

  /** The status of {@code request} ("METHOD path") sent with Host {@code host} (none if empty), over a socket. */
  private static int rawStatus(int port, String request, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      String body = request.startsWith("PUT") ? "{\"outage\":false}" : "";
      String text = request + " HTTP/1.1\r\n" + (host.isEmpty() ? "" : "Host: " + host + "\r\n")
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
          + body;
      socket.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      return Integer.parseInt(answer.substring(9, 12));
    }
  }

  private static JsonObject charge(String orderId, String customerId, long amountMinor) {
    return new JsonObject().put("orderId", orderId).put("customerId", customerId).put("amountMinor", amountMinor)
        .put("currency", "EUR");
  }

  private static HttpResponse<String> post(String key, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri("/v1/charges")).header("Idempotency-Key", key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
