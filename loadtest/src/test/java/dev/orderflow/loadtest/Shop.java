package dev.orderflow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One shop client's journey, shared by every simulation: place an order (retrying with the same
 * {@code Idempotency-Key} after a lost answer, and waiting as long as {@code Retry-After} says on 429/503),
 * sometimes send it again with the same key, then poll {@code GET /orders/{id}} until it is terminal, at most
 * {@code maxPolls} times, and check that it ended as expected. Keeps every accepted order for the audit.
 */
final class Shop {

  static final String PLACE = "POST /orders";
  static final String PLACE_AGAIN = "POST /orders again (same Idempotency-Key)";
  static final String CANCEL = "POST /orders/{id}/cancel";
  static final String POLL = "GET /orders/{id}";
  static final String TERMINAL = "order terminal as expected";
  static final String AUDIT = "audit of the accepted orders";

  private static final Set<String> TERMINAL_STATUSES = Set.of("SHIPPED", "CANCELLED");

  private final Settings settings;
  private final Queue<AcceptedOrder> accepted = new ConcurrentLinkedQueue<>();

  Shop(Settings settings) {
    this.settings = settings;
  }

  /** Every order accepted so far. */
  List<AcceptedOrder> accepted() {
    return List.copyOf(accepted);
  }

  HttpProtocolBuilder protocol() {
    // Shared connections: the arrival rate is of orders, not of TCP handshakes, which would cost this
    // 2-core machine more than the orders themselves.
    HttpProtocolBuilder protocol = http.baseUrl(settings.baseUrl())
        .acceptHeader("application/json")
        .userAgentHeader("orderflow-loadtest")
        .shareConnections();
    // An operator's token: operators may place orders for any customer (README, "Security"), so one token serves
    // every simulated customer.
    return settings.token().isEmpty() ? protocol : protocol.authorizationHeader("Bearer " + settings.token());
  }

  ScenarioBuilder clients(String name) {
    return scenario(name)
        .feed(new Traffic(settings))
        .exec(place(PLACE, false))
        .exitHereIf(session -> !session.contains("orderId"))
        .doIf(session -> session.getBoolean("cancel")).then(cancel())
        .exec(this::remember)
        .doIf(session -> session.getBoolean("retry")).then(place(PLACE_AGAIN, true))
        .exec(pollUntilTerminal())
        .exec(http(TERMINAL).get("/orders/#{orderId}")
            .check(status().is(200), jsonPath("$.status").isEL("#{expectedStatus}"))
            .checkIf("#{cancelled}").then(jsonPath("$.cancellationReason").isEL("#{expectedReason}")));
  }

  /** The run fails on a slow or failing POST, on any order that did not end as expected, or on a failed audit. */
  List<Assertion> assertions() {
    return List.of(
        details(PLACE).responseTime().percentile(99.0).lt(settings.postP99Ms()),
        details(PLACE).successfulRequests().percent().gte(settings.minSuccessPercent()),
        global().successfulRequests().percent().gte(settings.minSuccessPercent()),
        details(TERMINAL).failedRequests().count().is(0L),
        details(AUDIT).failedRequests().count().is(0L));
  }

  /**
   * Posts the order until it is accepted, at most {@code maxAttempts} times, always with the same key: after a
   * 429/503 it waits as long as {@code Retry-After} says; after a lost answer (timeout, reset) one second.
   * {@code again} posts an accepted order once more and checks that the same order comes back.
   */
  private ChainBuilder place(String name, boolean again) {
    HttpRequestActionBuilder post = http(name).post("/orders")
        .header("Idempotency-Key", "#{key}")
        .body(StringBody("#{body}")).asJson()
        // The first two checks always pass, so a refused attempt still tells the loop what to do.
        .check(status().saveAs("answer"),
            header("Retry-After").optional().saveAs("retryAfter"),
            status().is(202),
            again ? jsonPath("$.orderId").isEL("#{orderId}") : jsonPath("$.orderId").saveAs("orderId"));
    return exec(session -> session.set("answer", 0).set("attempts", 0))
        .asLongAs(session -> session.getInt("answer") != 202 && session.getInt("attempts") < settings.maxAttempts())
        .on(exec(session -> session.remove("retryAfter"))
            .exec(post)
            .exec(session -> session.set("attempts", giveUp(session.getInt("answer"))
                ? settings.maxAttempts() : session.getInt("attempts") + 1))
            .doIf(session -> session.getInt("answer") != 202).then(pause(this::retryAfter)));
  }

  /**
   * Cancels the order a moment after placing it (as an operator: the token is an operator's). A 202 means it must
   * end CANCELLED OPERATOR_REQUESTED; a 409 (the saga got there first: confirmed, shipped, cancelled) that it ends as
   * it would have.
   */
  private ChainBuilder cancel() {
    return pause(session -> Duration.ofMillis(session.getInt("cancelAfterMs")))
        .exec(http(CANCEL).post("/orders/#{orderId}/cancel")
            .check(status().in(202, 409).saveAs("cancelAnswer")))
        .exec(session -> session.contains("cancelAnswer") && session.getInt("cancelAnswer") == 202
            ? session.set("expectedStatus", "CANCELLED").set("expectedReason", "OPERATOR_REQUESTED")
                .set("cancelled", true)
            : session);
  }

  private ChainBuilder pollUntilTerminal() {
    return exec(session -> session.set("polls", 0).set("status", "PENDING"))
        .asLongAs(session -> !TERMINAL_STATUSES.contains(session.getString("status"))
            && session.getInt("polls") < settings.maxPolls())
        .on(pause(settings.pollInterval())
            .exec(session -> session.remove("retryAfter").set("answer", 0))
            .exec(http(POLL).get("/orders/#{orderId}")
                // 404: an order accepted moments ago may not be readable yet.
                .check(status().in(200, 404, 429, 503).saveAs("answer"),
                    header("Retry-After").optional().saveAs("retryAfter"))
                // Only an order's view has the order's status (a problem's "status" is the HTTP status).
                .checkIf((response, session) -> response.status().code() == 200)
                .then(jsonPath("$.status").saveAs("status")))
            .exec(session -> session.set("polls", session.getInt("polls") + 1))
            .doIf(session -> shed(session.getInt("answer"))).then(pause(this::retryAfter)));
  }

  private Session remember(Session session) {
    @SuppressWarnings("unchecked")
    Map<String, Integer> lines = (Map<String, Integer>) session.get("lines");
    accepted.add(new AcceptedOrder(session.getString("orderId"), session.getString("customerId"), lines,
        session.getString("expectedStatus"), session.getString("expectedReason")));
    return session;
  }

  /** A 4xx other than 429 will not change by trying again (and would be a bug in this client). */
  private static boolean giveUp(int status) {
    return status >= 400 && status < 500 && status != 429;
  }

  private static boolean shed(int status) {
    return status == 429 || status == 503;
  }

  private Duration retryAfter(Session session) {
    String header = session.contains("retryAfter") ? session.getString("retryAfter") : null;
    try {
      return header == null ? Duration.ofSeconds(1) : Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(1); // an HTTP date: Orderflow sends seconds, so this is someone else's proxy
    }
  }
}
