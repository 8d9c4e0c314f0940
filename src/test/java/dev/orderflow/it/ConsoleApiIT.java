package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.EventStreamClient;
import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.StreamJam;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The operator's console and its admin API")
class ConsoleApiIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("serve the page to anyone, with a strict Content-Security-Policy and no token in it")
  void page() throws Exception {
    HttpResponse<String> page = env.app().get("/console", "Authorization", "");
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'").doesNotContain("unsafe-inline");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.body()).contains("/console/assets/console.js").doesNotContain("<script>");
    for (String file : new String[] {"console.js", "console.css", "uplot.js", "uplot.css"}) {
      assertThat(env.app().get("/console/assets/" + file, "Authorization", "").statusCode()).as(file).isEqualTo(200);
    }
    assertThat(env.app().get("/console/assets/../pom.xml", "Authorization", "").statusCode()).isEqualTo(404);
    // Not in development mode: there is no token to hand out.
    assertThat(env.app().get("/console/dev-token", "Authorization", "").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("refuse the live flow and the admin API without a token (401) and to customers (403)")
  void operatorsOnly() throws Exception {
    String customer = "Bearer " + env.app().token("alice", false);
    for (String path : new String[] {"/console/flow", "/admin/dead-letters", "/admin/orders/some-order/events"}) {
      HttpResponse<String> anonymous = env.app().get(path, "Authorization", "");
      assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(env.app().get(path, "Authorization", customer).statusCode()).as(path).isEqualTo(403);
    }
    HttpResponse<String> post = env.app().post("/admin/dead-letters/send-back", "application/json",
        "{\"sequences\":[1]}", "Authorization", customer);
    assertThat(post.statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("push one snapshot a second to each console, in which placed orders move through the steps")
  void liveFlow() throws Exception {
    try (EventStreamClient console = EventStreamClient.open(env.app().api().resolve("/console/flow"),
        env.app().token("test-operator", true))) {
      assertThat(console.status()).isEqualTo(200);
      assertThat(console.header("Content-Type")).startsWith("text/event-stream");
      eventually(console::events, events -> events.stream().anyMatch(e -> e.name().equals("tick")));
      JsonObject before = console.last("tick");
      long shippedBefore = step(before, "shipped").getLong("total");

      for (int i = 0; i < 5; i++) {
        env.app().placeOrder("flow-" + i, Map.of("MUG-LOGO", 1));
      }

      JsonObject after = eventually(() -> console.last("tick"),
          tick -> step(tick, "shipped").getLong("total") >= shippedBefore + 5
              && step(tick, "placed").getLong("passedLastMinute") >= 5);
      assertThat(after.getBoolean("cluster")).isTrue();
      assertThat(step(after, "confirmed").getLong("passedLastMinute")).isGreaterThanOrEqualTo(5);
      assertThat(after.getJsonArray("consumers").size()).isGreaterThanOrEqualTo(7);
      assertThat(after.getJsonArray("point").size()).isEqualTo(5);
      assertThat(after.getJsonArray("breakers").getJsonObject(0).getString("state")).isEqualTo("CLOSED");
    }
  }

  @Test
  @DisplayName("list a dead letter with its reason and order, show it in the order's timeline, and send it back")
  void deadLetterRepair() throws Exception {
    String orderId;
    try (StreamJam jam = StreamJam.of(env.nats().management(), "SHIPPING")) {
      orderId = env.app().placeOrder("jammed", Map.of("MUG-LOGO", 1));
      JsonObject letter = eventually(() -> letterFor(orderId), found -> found != null);
      assertThat(letter.getString("consumer")).isEqualTo("shipping-orders");
      assertThat(letter.getString("subject")).isEqualTo("orders.confirmed." + orderId);
      assertThat(letter.getString("reason")).startsWith("gave up after");
      assertThat(letter.getLong("deliveries")).isGreaterThanOrEqualTo(1);

      JsonObject timeline = new JsonObject(env.app().get("/admin/orders/" + orderId + "/events").body());
      assertThat(types(timeline)).containsExactly("OrderPlaced", "StockReserved", "PaymentAuthorized",
          "OrderConfirmed");
      assertThat(timeline.getBoolean("terminal")).isFalse();
      assertThat(timeline.getJsonObject("waiting").getJsonArray("consumers")).containsExactly("shipping-orders");
      assertThat(timeline.getJsonObject("failed").getLong("deadLetter")).isEqualTo(letter.getLong("sequence"));
      JsonObject confirmed = timeline.getJsonArray("events").getJsonObject(3);
      assertThat(confirmed.getLong("deadLetter")).isEqualTo(letter.getLong("sequence"));
      assertThat(confirmed.getString("stream")).isEqualTo("ORDERS");
      assertThat(env.app().order(orderId).getString("status")).isEqualTo("CONFIRMED");
      long sequence = letter.getLong("sequence");
      // Mended, then sent back: the order completes.
      jam.close();
      HttpResponse<String> sent = env.app().post("/admin/dead-letters/send-back", "application/json",
          new JsonObject().put("sequences", new JsonArray().add(sequence).add(999_999)).encode());
      assertThat(sent.statusCode()).isEqualTo(200);
      JsonArray results = new JsonObject(sent.body()).getJsonArray("results");
      assertThat(results.getJsonObject(0).getString("outcome")).isEqualTo("sent-back");
      assertThat(results.getJsonObject(0).getString("subject")).isEqualTo("orders.confirmed." + orderId);
      assertThat(results.getJsonObject(1).getString("outcome")).isEqualTo("not-found");
    }
    env.app().awaitStatus(orderId, "SHIPPED");
    assertThat(letterFor(orderId)).isNull();
    JsonObject timeline = new JsonObject(env.app().get("/admin/orders/" + orderId + "/events").body());
    assertThat(timeline.getBoolean("terminal")).isTrue();
    assertThat(types(timeline)).endsWith("ShipmentScheduled");
    assertThat(timeline.containsKey("waiting")).isFalse();
  }

  @Test
  @DisplayName("discard a dead letter with DELETE, once: a second time it is not found")
  void discard() throws Exception {
    env.nats().connection().jetStream().publish("orders.placed.console-garbage",
        "not an event".getBytes(StandardCharsets.UTF_8));
    JsonObject letter = eventually(() -> letterFor("console-garbage"), found -> found != null);
    assertThat(letter.getString("reason")).contains("undecodable");
    JsonObject timeline = new JsonObject(env.app().get("/admin/orders/console-garbage/events").body());
    assertThat(timeline.getJsonArray("events").getJsonObject(0).getString("problem")).contains("undecodable");

    String path = "/admin/dead-letters/" + letter.getLong("sequence");
    assertThat(delete(path).statusCode()).isEqualTo(204);
    assertThat(delete(path).statusCode()).isEqualTo(404);
    assertThat(letterFor("console-garbage")).isNull();
  }

  @Test
  @DisplayName("answer bad requests with a specific problem")
  void badRequests() throws Exception {
    assertThat(sendBack("text/plain", "{\"sequences\":[1]}").statusCode()).isEqualTo(415);
    assertThat(sendBack("application/json", "{\"sequences\":").statusCode()).isEqualTo(400);
    HttpResponse<String> duplicate = sendBack("application/json", "{\"sequences\":[3,3]}");
    assertThat(duplicate.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(duplicate.body()).getString("field")).isEqualTo("/sequences/1");
    assertThat(sendBack("application/json", "{\"sequences\":[]}").statusCode()).isEqualTo(422);
    assertThat(sendBack("application/json", "{\"sequences\":[1],\"all\":true}").statusCode()).isEqualTo(422);
    assertThat(env.app().get("/admin/dead-letters?limit=0").statusCode()).isEqualTo(400);
    assertThat(env.app().get("/admin/orders/no-such-order/events").statusCode()).isEqualTo(404);
    assertThat(env.app().get("/admin/orders/a.b/events").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> sendBack(String contentType, String body) throws Exception {
    return env.app().post("/admin/dead-letters/send-back", contentType, body);
  }

  private static HttpResponse<String> delete(String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(env.app().api()
            .resolve(path)).DELETE().header("Authorization", "Bearer " + env.app().token("test-operator", true))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The dead letter about {@code orderId}, as the admin API lists it, or null. */
  private static JsonObject letterFor(String orderId) throws Exception {
    JsonArray letters = new JsonObject(env.app().get("/admin/dead-letters?limit=1000").body())
        .getJsonArray("deadLetters");
    return letters.stream().map(JsonObject.class::cast).filter(l -> orderId.equals(l.getString("orderId")))
        .findFirst().orElse(null);
  }

  private static Stream<String> typeStream(JsonObject timeline) {
    return timeline.getJsonArray("events").stream().map(JsonObject.class::cast).map(e -> e.getString("type"));
  }

  private static java.util.List<String> types(JsonObject timeline) {
    return typeStream(timeline).toList();
  }

  private static JsonObject step(JsonObject tick, String name) {
    return tick.getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("step").equals(name)).findFirst().orElseThrow();
  }
}
