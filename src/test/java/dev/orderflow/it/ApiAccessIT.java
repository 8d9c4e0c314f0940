package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.JetStreamManagement;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("API access")
class ApiAccessIT {

  private static final String ORDER_OF_ALICE =
      "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}";

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension(
      new JsonObject().put("limits", new JsonObject().put("bodyTimeoutMs", 1500)), null);

  /** Orders this class placed: counting messages is meaningful only once their sagas are over. */
  private static final List<String> PLACED = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static TestOrderflow app() {
    return env.app();
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  @Test
  @DisplayName("answers 401 problem+json with WWW-Authenticate, and does no work, without a valid token")
  void unauthenticated() throws Exception {
    String valid = app().token("alice", false);
    Map<String, String> tokens = new java.util.LinkedHashMap<>();
    tokens.put("no token", "");
    tokens.put("a Basic header", "Basic YWxpY2U6c2VjcmV0");
    tokens.put("an empty bearer", "Bearer ");
    tokens.put("garbage", "Bearer not-a-jwt");
    tokens.put("an expired token", bearer(app().tokenWithClaims("alice",
        new JsonObject().put("exp", System.currentTimeMillis() / 1000 - 3600))));
    tokens.put("a token whose expiry was changed (bad signature)", bearer(reExpired(valid)));
    tokens.put("a token signed with another key", bearer(otherKeyToken()));
    tokens.put("a token for another audience",
        bearer(app().token("alice", false, new JWTOptions().setExpiresInSeconds(600).setAudience(List.of("other")))));
    tokens.put("a token from another issuer", bearer(app().tokenWithClaims("alice", new JsonObject()
        .put("iss", "someone-else").put("exp", System.currentTimeMillis() / 1000 + 600))));
    tokens.put("an unsigned token (alg none)", bearer(unsigned()));
    tokens.put("a token without exp", bearer(app().tokenWithClaims("alice", new JsonObject())));
    tokens.put("a token naming no one", bearer(app().tokenWithClaims("", new JsonObject()
        .put("exp", System.currentTimeMillis() / 1000 + 600))));
    long later = System.currentTimeMillis() / 1000 + 600;
    tokens.put("exp as a string", bearer(app().tokenWithClaims("alice", new JsonObject().put("exp", "" + later))));
    tokens.put("exp as an object", bearer(app().tokenWithClaims("alice", new JsonObject()
        .put("exp", new JsonObject().put("at", later)))));
    tokens.put("nbf as a string", bearer(app().tokenWithClaims("alice", new JsonObject().put("exp", later)
        .put("nbf", "0"))));
    tokens.put("nbf as an object", bearer(app().tokenWithClaims("alice", new JsonObject().put("exp", later)
        .put("nbf", new JsonObject()))));
    tokens.put("iat as a string", bearer(app().tokenWithClaims("alice", new JsonObject().put("exp", later)
        .put("iat", "0"))));
    tokens.put("a critical header extension (crit)", bearer(signed(new JsonObject().put("alg", "HS256")
        .put("typ", "JWT").put("crit", List.of("x-bound")).put("x-bound", true), new JsonObject().put("sub", "alice")
        .put("aud", "orderflow").put("iss", TestOrderflow.TEST_ISSUER).put("exp", later))));
    long before = messagesInNats();
    for (Map.Entry<String, String> token : tokens.entrySet()) {
      for (HttpResponse<String> response : List.of(
          app().post("/orders", "application/json", ORDER_OF_ALICE, "Authorization", token.getValue()),
          app().get("/orders/7b0c6f4e-0000-4000-8000-000000000000", "Authorization", token.getValue()),
          app().get("/inventory/MUG-LOGO", "Authorization", token.getValue()))) {
        assertThat(response.statusCode()).as(token.getKey() + " " + response.uri() + " " + response.body())
            .isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(token.getKey()).hasValueSatisfying(
            challenge -> assertThat(challenge).startsWith("Bearer realm="));
        assertProblem(response, "unauthorized");
        // Say little: no library's reasons, no class names, nothing of what the service expects.
        assertThat(new JsonObject(response.body()).getString("detail")).as(token.getKey())
            .doesNotContain("Exception", "java.", "expected", "orderflow", TestOrderflow.TEST_ISSUER, "JWT");
      }
    }
    assertThat(messagesInNats()).isEqualTo(before);
  }

  @Test
  @DisplayName("lets a customer order as itself, refuses 403 an order for another customer, and publishes nothing then")
  void placesOnlyAsItself() throws Exception {
    HttpResponse<String> own = app().post("/orders", "application/json", ORDER_OF_ALICE,
        "Authorization", bearer(app().token("alice", false)));
    assertThat(own.statusCode()).isEqualTo(202);
    PLACED.add(new JsonObject(own.body()).getString("orderId"));

    long before = messagesInNats();
    HttpResponse<String> forBob = app().post("/orders", "application/json", ORDER_OF_ALICE.replace("alice", "bob"),
        "Authorization", bearer(app().token("alice", false)));
    assertThat(forBob.statusCode()).isEqualTo(403);
    assertProblem(forBob, "forbidden");
    assertThat(messagesInNats()).isEqualTo(before);
  }

  @Test
  @DisplayName("answers 404 to a customer reading another's order, exactly as for an unknown order; "
      + "an operator reads any")
  void readsOnlyOwnOrders() throws Exception {
    String orderId = app().placeOrder("bob", Map.of("MUG-LOGO", 1));
    PLACED.add(orderId);
    String bob = bearer(app().token("bob", false));
    String alice = bearer(app().token("alice", false));
    app().awaitStatus(orderId, "SHIPPED");

    assertThat(app().get("/orders/" + orderId, "Authorization", bob).statusCode()).isEqualTo(200);
    HttpResponse<String> probed = app().get("/orders/" + orderId, "Authorization", alice);
    HttpResponse<String> unknown = app().get("/orders/7b0c6f4e-0000-4000-8000-000000000000", "Authorization", alice);
    assertThat(probed.statusCode()).isEqualTo(404);
    assertProblem(probed, "not-found");
    assertThat(new JsonObject(probed.body()).getString("title"))
        .isEqualTo(new JsonObject(unknown.body()).getString("title"));
    HttpResponse<String> operator = app().get("/orders/" + orderId,
        "Authorization", bearer(app().token("olga", true)));
    assertThat(operator.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(operator.body()).getString("customerId")).isEqualTo("bob");
  }

  @Test
  @DisplayName("lets only operators read the inventory (403 for a customer)")
  void inventoryForOperators() throws Exception {
    HttpResponse<String> customer =
        app().get("/inventory/MUG-LOGO", "Authorization", bearer(app().token("alice", false)));
    assertThat(customer.statusCode()).isEqualTo(403);
    assertProblem(customer, "forbidden");
    assertThat(app().get("/inventory/MUG-LOGO", "Authorization", bearer(app().token("olga", true))).statusCode())
        .isEqualTo(200);
  }

  @Test
  @DisplayName("keeps health open")
  void healthOpen() throws Exception {
    assertThat(app().get("/health/live", "Authorization", "").statusCode()).isEqualTo(200);
    Eventually.eventually(() -> app().get("/health/ready", "Authorization", "").statusCode(), status -> status == 200);
  }

  @Test
  @DisplayName("answers hostile input from an authenticated customer only with 4xx problem+json, and publishes nothing")
  void hostileInput() throws Exception {
    String alice = bearer(app().token("alice", false));
    long before = messagesInNats();
    String deep = "[".repeat(5000) + "]".repeat(5000);
    List<String[]> posts = List.of(
        new String[] {"application/json", "{\"customerId\":\"alice\",\"items\":" + deep + "}"},
        new String[] {"application/json",
            "{\"customerId\":\"alice\u0000\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}"},
        new String[] {"application/json",
            "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"../../etc/passwd\",\"quantity\":1}]}"},
        new String[] {"application/json",
            "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1e309}]}"},
        new String[] {"application/json",
            "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":9223372036854775808}]}"},
        new String[] {"application/json",
            "{\"customerId\":{\"$ne\":null},\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}"},
        new String[] {"application/json", "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}"},
        new String[] {"application/json", "{\"customerId\":\"alice\",\"customerId\":\"bob\",\"items\":[]}"},
        new String[] {"application/xml", "<order/>"},
        new String[] {"application/json; charset=utf-16", "\u00fe\u00ff"},
        new String[] {"application/json", "\"alice\""},
        new String[] {"application/json", "null"});
    for (String[] post : posts) {
      HttpResponse<String> response = app().post("/orders", post[0], post[1], "Authorization", alice);
      assertThat(response.statusCode()).as(post[1].substring(0, Math.min(80, post[1].length()))).isBetween(400, 499);
      assertProblem(response, null);
    }
    for (String path : List.of("/orders/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/orders/" + "a".repeat(3000),
        "/orders/x%00y", "/orders/%E2%80%AE", "/orders/' OR '1'='1", "/inventory/..%2F..%2Fmetrics",
        "/orders/7b0c6f4e-0000-4000-8000-000000000000?customerId=alice")) {
      Raw response = raw("GET " + path.replace(" ", "%20") + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
          + alice + "\r\nConnection: close\r\n\r\n");
      response.assertProblem(path);
    }
    List<String> requests = List.of(
        "GET /orders/x HTTP/1.1\r\nHost: x\r\nAuthorization: " + alice + "\r\nX-Big: " + "y".repeat(20_000)
            + "\r\nConnection: close\r\n\r\n",
        "GET /orders/" + "z".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /orders/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + "e".repeat(7000)
            + "\r\nConnection: close\r\n\r\n",
        "POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + alice + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: 99999999\r\nConnection: close\r\n\r\n{",
        "DELETE /orders/x HTTP/1.1\r\nHost: x\r\nAuthorization: " + alice + "\r\nConnection: close\r\n\r\n",
        "GET /orders/x HTTP/1.1\r\nHost: x\r\nAuthorization: " + alice + "\r\nAuthorization: Bearer forged\r\n"
            + "Connection: close\r\n\r\n");
    for (String request : requests) {
      Raw answer;
      try {
        answer = raw(request);
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("no answer to " + request.substring(0, Math.min(200, request.length())), e);
      }
      answer.assertProblem(request.substring(0, 40));
    }
    // Broken framing (a chunk size that is not hex): the server cannot know where the message ends, so closing the
    // connection is the answer, or a 4xx problem.
    Raw garbled = raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + alice + "\r\nContent-Type: "
        + "application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n");
    if (garbled.status() != -1 || !garbled.head().isEmpty()) {
      garbled.assertProblem("a garbled chunk");
    }
    assertThat(messagesInNats()).isEqualTo(before);
  }

  @Test
  @DisplayName("answers 408 and closes the connection when a body does not arrive in time (slow clients)")
  void slowBody() throws Exception {
    long start = System.nanoTime();
    Raw answer = raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer(app().token("alice", false))
        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"customerId\":");
    assertThat(answer.status()).isEqualTo(408);
    answer.assertProblem("slow body");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(8));
  }

  static void assertProblem(HttpResponse<String> response, String type) {
    assertThat(response.headers().firstValue("Content-Type")).as(response.body()).contains("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(response.statusCode());
    if (type != null) {
      assertThat(problem.getString("type")).isEqualTo("https://orderflow.dev/problems/" + type);
    }
  }

  /** Every message in every stream: what a refused request must not change. */
  private static long messagesInNats() throws Exception {
    PLACED.forEach(id -> app().awaitStatus(id, "SHIPPED"));
    JetStreamManagement jsm = env.nats().management();
    long total = 0;
    for (String stream : jsm.getStreamNames()) {
      total += jsm.getStreamInfo(stream).getStreamState().getMsgCount();
    }
    return total;
  }

  private static String reExpired(String token) {
    String[] parts = token.split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put("exp", payload.getLong("exp") + 86_400);
    return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.encode().getBytes(
        StandardCharsets.UTF_8)) + "." + parts[2];
  }

  /** A token of {@code header} and {@code claims} as they are, signed with the test API's HMAC secret. */
  private static String signed(JsonObject header, JsonObject claims) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(app().config().auth().hmacSecret().reveal()
        .getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String unsigned() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(new JsonObject().put("sub", "alice").put("aud", "orderflow")
        .put("iss", TestOrderflow.TEST_ISSUER).put("exp", System.currentTimeMillis() / 1000 + 600).encode()
        .getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + ".";
  }

  private static String otherKeyToken() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      return io.vertx.ext.auth.jwt.JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
              .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256")
                  .setBuffer("another-secret-another-secret-another-secret")))
          .generateToken(new JsonObject(), new JWTOptions().setAlgorithm("HS256").setSubject("alice")
              .setIssuer(TestOrderflow.TEST_ISSUER).setAudience(List.of("orderflow")).setExpiresInSeconds(600));
    } finally {
      vertx.close();
    }
  }

  /** Sends {@code request} as bytes (for what HttpClient refuses to send) and reads the answer. */
  private static Raw raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", app().api().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (java.io.IOException closedEarly) {
        // the server may answer and close before it read everything
      }
      // Read the head, then as many bytes as Content-Length says: the server may keep the connection open.
      InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      String headText = head.toString(StandardCharsets.ISO_8859_1);
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
          .matcher(headText);
      byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : in.readAllBytes();
      return Raw.parse(headText + new String(body, StandardCharsets.UTF_8));
    }
  }

  /** An HTTP/1.1 answer as read from the socket. */
  private record Raw(int status, String head, String body) {

    static Raw parse(String answer) {
      int split = answer.indexOf("\r\n\r\n");
      String head = split < 0 ? answer : answer.substring(0, split);
      String body = split < 0 ? "" : answer.substring(split + 4);
      int status = head.matches("(?s)HTTP/1\\.[01] \\d{3}.*") ? Integer.parseInt(head.substring(9, 12)) : -1;
      return new Raw(status, head, body);
    }

    void assertProblem(String what) {
      assertThat(status).as(what + "\n" + head).isBetween(400, 499);
      assertThat(head.toLowerCase()).as(what).contains("content-type: application/problem+json");
      assertThat(body).as(what).contains("\"status\":" + status);
    }
  }
}
