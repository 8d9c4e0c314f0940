package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.Connection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /orders} over HTTP on a real nats-server: whose orders, which, in what order, a page at a time. */
@DisplayName("Listing orders")
class OrderListIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  @Test
  @DisplayName("a customer sees its own orders, newest first, at once after placing them, and no one else's")
  void ownOrdersOnly() throws Exception {
    String first = env.app().placeOrder("list-alice", Map.of("MUG-LOGO", 1));
    String other = env.app().placeOrder("list-bob", Map.of("MUG-LOGO", 1));
    String second = env.app().placeOrder("list-alice", Map.of("POSTER-A2", 1));

    JsonObject page = list("list-alice", "");

    assertThat(ids(page)).containsExactly(second, first);
    JsonObject newest = page.getJsonArray("orders").getJsonObject(0);
    assertThat(newest.getString("customerId")).isEqualTo("list-alice");
    assertThat(newest.getJsonObject("total")).isEqualTo(new JsonObject().put("amountMinor", 2500)
        .put("currency", "EUR"));
    assertThat(newest.getString("status")).isIn("PENDING", "RESERVED", "PAID", "CONFIRMED", "SHIPPED");
    assertThat(Instant.parse(newest.getString("updatedAt"))).isAfterOrEqualTo(Instant.parse(
        newest.getString("placedAt")));
    assertThat(ids(list("list-bob", ""))).containsExactly(other);
    assertThat(page.containsKey("next")).isFalse();
  }

  @Test
  @DisplayName("pages with limit and an opaque cursor (also in a Link header), each order once")
  void pages() throws Exception {
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      placed.add(0, env.app().placeOrder("list-pager", Map.of("MUG-LOGO", 1)));
    }
    List<String> seen = new ArrayList<>();
    String query = "limit=2";
    for (int pages = 0; pages < 5; pages++) {
      HttpResponse<String> answer = get("list-pager", query);
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonObject page = new JsonObject(answer.body());
      seen.addAll(ids(page));
      if (!page.containsKey("next")) {
        assertThat(answer.headers().firstValue("Link")).isEmpty();
        break;
      }
      assertThat(answer.headers().firstValue("Link")).hasValueSatisfying(link ->
          assertThat(link).startsWith("</orders?").contains("cursor=" + page.getString("next"))
              .endsWith(">; rel=\"next\""));
      query = "limit=2&cursor=" + page.getString("next");
    }
    assertThat(seen).containsExactlyElementsOf(placed);
  }

  @Test
  @DisplayName("filters by status and placing time, and an operator lists the unfinished orders of all, oldest first")
  void filters() throws Exception {
    Instant before = Instant.now();
    String shipped = env.app().placeOrder("list-carol", Map.of("MUG-LOGO", 1));
    String soldOut = env.app().placeOrder("list-carol", Map.of("VINYL-SOLD-OUT", 1));
    env.app().awaitStatus(shipped, "SHIPPED");
    env.app().awaitStatus(soldOut, "CANCELLED");
    env.app().gatewayFaults(new JsonObject().put("outage", true));
    try {
      String stuck = env.app().placeOrder("list-dave", Map.of("MUG-LOGO", 1));
      env.app().awaitStatus(stuck, "RESERVED");

      assertThat(ids(list("list-carol", "status=SHIPPED"))).containsExactly(shipped);
      JsonObject cancelled = list("list-carol", "status=CANCELLED");
      assertThat(ids(cancelled)).containsExactly(soldOut);
      assertThat(cancelled.getJsonArray("orders").getJsonObject(0).getString("cancellationReason"))
          .isEqualTo("OUT_OF_STOCK");
      assertThat(ids(list("list-carol", "status=shipped,cancelled&status=PENDING"))).containsExactly(soldOut, shipped);
      assertThat(ids(list("list-carol", "placedAfter=" + encode(Instant.now().plusSeconds(60).toString()))))
          .isEmpty();
      assertThat(ids(list("list-carol", "placedAfter=" + encode(before.toString()) + "&sort=oldest")))
          .containsExactly(shipped, soldOut);

      JsonObject open = list(null, "status=PENDING,RESERVED,PAID,CONFIRMED&sort=oldest&placedAfter="
          + encode(before.toString()));
      assertThat(ids(open)).containsExactly(stuck);
      assertThat(open.getJsonArray("orders").getJsonObject(0).getString("status")).isEqualTo("RESERVED");
      assertThat(ids(list(null, "customerId=list-carol"))).containsExactly(soldOut, shipped);
    } finally {
      env.app().gatewayFaults(new JsonObject().put("outage", false));
    }
  }

  @Test
  @DisplayName("refuses another customer's list (403), another's or a forged cursor and bad parameters (400)")
  void refusals() throws Exception {
    env.app().placeOrder("list-erin", Map.of("MUG-LOGO", 1));
    env.app().placeOrder("list-erin", Map.of("MUG-LOGO", 1));
    env.app().placeOrder("list-frank", Map.of("MUG-LOGO", 1));
    env.app().placeOrder("list-frank", Map.of("MUG-LOGO", 1));
    String erinsCursor = list("list-erin", "limit=1").getString("next");
    assertThat(erinsCursor).isNotNull();

    assertThat(get("list-frank", "customerId=list-erin").statusCode()).isEqualTo(403);
    assertProblem(get("list-frank", "limit=1&cursor=" + erinsCursor), "cursor");
    assertProblem(get("list-frank", "cursor=not-a-cursor"), "cursor");
    assertProblem(get("list-erin", "limit=1&status=SHIPPED&cursor=" + erinsCursor), "cursor");
    assertProblem(get("list-erin", "limit=0"), "limit");
    assertProblem(get("list-erin", "limit=101"), "limit");
    assertProblem(get("list-erin", "status=LOST"), "status");
    assertProblem(get("list-erin", "placedAfter=yesterday"), "placedAfter");
    assertProblem(get("list-erin", "sort=random"), "sort");
    assertProblem(get("list-erin", "colour=red"), "colour");
    assertThat(ids(list("list-frank", ""))).hasSize(2);
  }

  @Test
  @DisplayName("rebuilds itself from the streams when its store is lost or damaged, and forgets streams made anew")
  void rebuilds() throws Exception {
    Path data = Files.createTempDirectory("orderflow-rebuild-");
    JsonObject onData = new JsonObject().put("dataDir", data.toString());
    try (NatsTestServer nats = NatsTestServer.start()) {
      List<String> placed = new ArrayList<>();
      try (TestOrderflow first = TestOrderflow.start(nats, onData)) {
        for (int i = 0; i < 3; i++) {
          placed.add(0, first.placeOrder("list-gina", Map.of("MUG-LOGO", 1)));
        }
        first.awaitStatus(placed.get(0), "SHIPPED");
      }
      // Restarted on its index: it goes on from its checkpoints, each order once, ended as it was.
      try (TestOrderflow restarted = TestOrderflow.start(nats, onData)) {
        placed.add(0, restarted.placeOrder("list-gina", Map.of("MUG-LOGO", 1)));
        restarted.awaitStatus(placed.get(0), "SHIPPED");
        JsonObject page = eventually(() -> listOn(restarted, "list-gina"), p -> p != null
            && ids(p).size() >= placed.size() && p.getJsonArray("orders").getJsonObject(0).getString("status")
                .equals("SHIPPED"));
        assertThat(ids(page)).containsExactlyElementsOf(placed);
        assertThat(page.getJsonArray("orders").stream().map(o -> ((JsonObject) o).getString("status")))
            .containsOnly("SHIPPED");
      }
      deleteTree(data.resolve("order-index"));
      try (TestOrderflow again = TestOrderflow.start(nats, onData)) {
        // Its first answer that is not "rebuilding" (503) already holds every order.
        JsonObject page = eventually(() -> listOn(again, "list-gina"), p -> p != null);
        assertThat(ids(page)).containsExactlyElementsOf(placed);
      }
      // A store a crash left unreadable is started again the same way.
      Files.write(data.resolve("order-index").resolve("CURRENT"), "MANIFEST-999999\n"
          .getBytes(StandardCharsets.US_ASCII));
      try (TestOrderflow damaged = TestOrderflow.start(nats, onData)) {
        JsonObject page = eventually(() -> listOn(damaged, "list-gina"), p -> p != null);
        assertThat(ids(page)).containsExactlyElementsOf(placed);
      }
    }
    // The index still holds those orders; a broker with new streams has none of them.
    try (NatsTestServer fresh = NatsTestServer.start();
        TestOrderflow onFresh = TestOrderflow.start(fresh, onData)) {
      JsonObject page = eventually(() -> listOn(onFresh, "list-gina"), p -> p != null);
      assertThat(ids(page)).as("orders of streams that are gone are not listed").isEmpty();
    } finally {
      deleteTree(data);
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  @DisplayName("ends an order by a shipment that names its placing time, and by one from before shipments did")
  void shipmentsOldAndNew() throws Exception {
    // The orders role alone: nothing ships unless this test writes the shipments, as a shipping context would.
    try (NatsTestServer nats = NatsTestServer.start();
        TestOrderflow app = TestOrderflow.start(nats, new JsonObject().put("roles", "orders"))) {
      String current = app.placeOrder("list-hank", Map.of("MUG-LOGO", 1));
      String older = app.placeOrder("list-hank", Map.of("MUG-LOGO", 1));
      // Listed (and so written to the index) as open before either ships.
      JsonObject listed = eventually(() -> listOn(app, "list-hank"), p -> p != null);
      assertThat(ids(listed)).containsExactly(older, current);
      String placedAt = listed.getJsonArray("orders").getJsonObject(1).getString("placedAt");
      ShipmentScheduled.Builder shipment = ShipmentScheduled.newBuilder()
          .setOccurredAt(EventTime.of(Instant.now())).setShipmentId("shp-test");
      Connection connection = nats.connection();
      connection.jetStream().publish("shipping.shipment-scheduled." + current, shipment.clone()
          .setEventId(EventIds.next()).setOrderId(current)
          .setPlacedAt(EventTime.of(Instant.parse(placedAt))).build().toByteArray());
      connection.jetStream().publish("shipping.shipment-scheduled." + older, shipment.clone()
          .setEventId(EventIds.next()).setOrderId(older).build().toByteArray());

      HttpResponse<String>[] shipped = new HttpResponse[1];
      eventually(() -> shipped[0] = app.get("/orders?status=SHIPPED", "Authorization",
          "Bearer " + app.token("list-hank", false)), a -> ids(new JsonObject(a.body())).size() == 2);
      assertThat(ids(new JsonObject(shipped[0].body()))).containsExactly(older, current);
      HttpResponse<String> open = app.get("/orders?status=PENDING,RESERVED,PAID,CONFIRMED&customerId=list-hank",
          "Authorization", "Bearer " + app.token("test-operator", true));
      assertThat(ids(new JsonObject(open.body()))).as("neither is still listed as unfinished").isEmpty();
    }
  }

  @Test
  @DisplayName("two instances of the orders role each list what the other placed, once each, whether few or many")
  void twoInstances() throws Exception {
    try (NatsTestServer nats = NatsTestServer.start();
        TestOrderflow one = TestOrderflow.start(nats);
        TestOrderflow two = TestOrderflow.start(nats, new JsonObject().put("roles", "orders"))) {
      // A few from each: every instance reads the other's by sequence.
      List<String> few = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        few.add(one.placeOrder("list-ivy", Map.of("MUG-LOGO", 1)));
        few.add(two.placeOrder("list-ivy", Map.of("MUG-LOGO", 1)));
      }
      for (TestOrderflow app : List.of(one, two)) {
        List<String> listed = eventually(() -> everyOrder(app, "list-ivy"), ids -> ids.size() >= few.size());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(few);
      }
      // Many from the second, at once: the first may go back to following the stream; nothing is lost or doubled.
      List<String> many = java.util.Collections.synchronizedList(new ArrayList<>());
      var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          done.add(pool.submit(() -> {
            for (int n = 0; n < 80; n++) {
              many.add(two.placeOrder("list-jo", Map.of("MUG-LOGO", 1)));
            }
            return null;
          }));
        }
        for (var each : done) {
          each.get();
        }
      } finally {
        pool.shutdownNow();
      }
      // And a few more from each after it.
      many.add(one.placeOrder("list-jo", Map.of("MUG-LOGO", 1)));
      many.add(two.placeOrder("list-jo", Map.of("MUG-LOGO", 1)));
      for (TestOrderflow app : List.of(one, two)) {
        int listed = eventually(() -> everyOrder(app, "list-jo").size(), size -> size >= many.size());
        assertThat(everyOrder(app, "list-jo")).as("listed %d", listed).containsExactlyInAnyOrderElementsOf(many);
      }
      // The saga's outcomes (written by the first) end the second's orders in both lists.
      String last = many.get(many.size() - 1);
      String ended = eventually(() -> one.order(last).getString("status"), s -> s.equals("SHIPPED")
          || s.equals("CANCELLED"));
      for (TestOrderflow app : List.of(one, two)) {
        eventually(() -> app.get("/orders?status=" + ended + "&customerId=list-jo&limit=100", "Authorization",
            "Bearer " + app.token("test-operator", true)), a -> ids(new JsonObject(a.body())).contains(last));
      }
    }
  }

  /** Every order of {@code customer} that {@code app} lists, page after page, as an operator sees them. */
  private static List<String> everyOrder(TestOrderflow app, String customer) throws Exception {
    List<String> seen = new ArrayList<>();
    String query = "limit=100&customerId=" + customer;
    while (true) {
      HttpResponse<String> answer = app.get("/orders?" + query, "Authorization",
          "Bearer " + app.token("test-operator", true));
      if (answer.statusCode() != 200) {
        return List.of();
      }
      JsonObject page = new JsonObject(answer.body());
      seen.addAll(ids(page));
      if (!page.containsKey("next")) {
        return seen;
      }
      query = "limit=100&customerId=" + customer + "&cursor=" + page.getString("next");
    }
  }

  private static JsonObject listOn(TestOrderflow app, String customer) throws Exception {
    HttpResponse<String> answer = app.get("/orders", "Authorization", "Bearer " + app.token(customer, false));
    return answer.statusCode() == 200 ? new JsonObject(answer.body()) : null;
  }

  private static void assertProblem(HttpResponse<String> answer, String field) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getString("type")).endsWith("/invalid-parameter");
    assertThat(problem.getString("field")).isEqualTo(field);
  }

  /** The list as {@code customer} (null: an operator) sees it, failing unless it is a 200. */
  private static JsonObject list(String customer, String query) throws Exception {
    HttpResponse<String> answer = get(customer, query);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body());
  }

  private static HttpResponse<String> get(String customer, String query) throws Exception {
    String token = customer == null ? env.app().token("test-operator", true) : env.app().token(customer, false);
    return env.app().get("/orders" + (query.isEmpty() ? "" : "?" + query), "Authorization", "Bearer " + token);
  }

  private static List<String> ids(JsonObject page) {
    JsonArray orders = page.getJsonArray("orders");
    return orders.stream().map(o -> ((JsonObject) o).getString("orderId")).toList();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
