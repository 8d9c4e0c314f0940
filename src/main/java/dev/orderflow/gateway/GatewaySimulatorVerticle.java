package dev.orderflow.gateway;

import dev.orderflow.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The payment gateway simulator's HTTP server. Deploy exactly one instance: its charges live in this verticle,
 * touched only by its event loop.
 *
 * <p>A charge is recorded before the (simulated) latency, so a client that times out and retries with the same
 * {@code Idempotency-Key} finds the charge it already made, as with a real provider.
 */
public final class GatewaySimulatorVerticle extends VerticleBase {

  private static final String DECLINING_CUSTOMER_PREFIX = "decline-";
  private static final int DEFAULT_PAGE = 1_000;
  private static final int MAX_PAGE = 50_000;
  private static final String VOIDED_REASON = "voided: the payment was cancelled before the charge";

  /** What a client asks to charge; two requests with one idempotency key must be equal. */
  private record ChargeRequest(String orderId, String customerId, long amountMinor, String currency) {

    JsonObject toJson() {
      return new JsonObject().put("orderId", orderId).put("customerId", customerId).put("amountMinor", amountMinor)
          .put("currency", currency);
    }
  }

  /**
   * A charge as the simulator made it. Plain fields, not the request's JSON: a benchmark keeps hundreds of
   * thousands of them, and as JSON objects they kept the simulator's collector busy (docs/performance.md).
   */
  private record Charge(String chargeId, String idempotencyKey, ChargeRequest request, String status, String reason,
      Instant at) {

    JsonObject toJson(Refund refund) {
      JsonObject json = request.toJson()
          .put("chargeId", chargeId)
          .put("status", status)
          .put("createdAt", at.toString());
      if (status.equals("DECLINED")) {
        json.put("reason", reason);
      }
      if (refund != null) {
        json.put("refund", new JsonObject().put("refundId", refund.refundId())
            .put("createdAt", refund.at().toString()));
      }
      return json;
    }
  }

  /** A refund (or void) as the simulator made it: the charges it refunded, none for a void. */
  private record Refund(String refundId, String idempotencyKey, String orderId, List<Charge> charges, Instant at) {

    JsonObject toJson() {
      long amount = charges.stream().mapToLong(c -> c.request().amountMinor()).sum();
      JsonObject json = new JsonObject()
          .put("refundId", refundId)
          .put("orderId", orderId)
          .put("status", charges.isEmpty() ? "VOIDED" : "REFUNDED")
          .put("chargeIds", new JsonArray(charges.stream().map(Charge::chargeId).toList()))
          .put("createdAt", at.toString());
      if (!charges.isEmpty()) {
        json.put("amountMinor", amount).put("currency", charges.get(0).request().currency());
      }
      return json;
    }
  }

  private final GatewayConfig config;
  private final Map<String, Charge> byKey = new HashMap<>();
  private final Map<String, List<Charge>> byOrder = new HashMap<>();
  /** Every charge in the order it was made: the audit pages through it. */
  private final List<Charge> all = new ArrayList<>();
  private final Map<String, Refund> refundsByKey = new HashMap<>();
  /** The refund of each refunded charge, by charge id. */
  private final Map<String, Refund> refundOfCharge = new HashMap<>();
  /** Orders whose payment was voided before any charge: a charge for them is declined from then on. */
  private final Set<String> voided = new HashSet<>();
  private Faults faults;
  private HttpServer server;

  public GatewaySimulatorVerticle(GatewayConfig config) {
    this.config = config;
    this.faults = Faults.from(config);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // First, for every path and method: an endpoint added below is guarded without a word about it.
    router.route().handler(new SimulatorAccess(config.faultsToken()));
    router.route().handler(BodyHandler.create(false).setBodyLimit(16 * 1024));
    router.post("/v1/charges").handler(this::charge);
    router.get("/v1/charges").handler(this::list);
    router.post("/v1/refunds").handler(this::refund);
    router.get("/v1/faults").handler(ctx -> json(ctx, 200, faults.toJson()));
    router.put("/v1/faults").handler(this::changeFaults);
    return vertx.createHttpServer(new HttpServerOptions()
            // HTTP/1.1 only: no cleartext HTTP/2 upgrade (h2c) to maintain on a plain JSON API.
            .setHttp2ClearTextEnabled(false)
            .setHost(config.host())
            .setPort(config.port()))
        .requestHandler(router)
        .listen()
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the simulator listens on. */
  public int port() {
    return server.actualPort();
  }

  private void charge(RoutingContext ctx) {
    Faults now = faults;
    String key = ctx.request().getHeader("Idempotency-Key");
    ChargeRequest request = chargeRequest(ctx);
    if (key == null || key.isBlank()) {
      later(ctx, now, 400, error("the Idempotency-Key header is required"));
    } else if (request == null) {
      later(ctx, now, 400, error("send JSON {orderId, customerId, amountMinor > 0, currency (ISO-4217)}"));
    } else if (now.outage()) {
      later(ctx, now, 503, error("the gateway is down (simulated outage)"));
    } else if (byKey.containsKey(key)) {
      Charge earlier = byKey.get(key);
      if (earlier.request().equals(request)) {
        later(ctx, now, 200, earlier.toJson(refundOfCharge.get(earlier.chargeId())));
      } else {
        later(ctx, now, 422, error("Idempotency-Key already used for a different charge"));
      }
    } else if (ThreadLocalRandom.current().nextDouble() < now.errorRate()) {
      later(ctx, now, 500, error("simulated gateway error; nothing was charged"));
    } else {
      boolean wasVoided = voided.contains(request.orderId());
      boolean decline = wasVoided || request.customerId().startsWith(DECLINING_CUSTOMER_PREFIX)
          || ThreadLocalRandom.current().nextDouble() < now.declineRate();
      // Payments uses the order id as the key: keep one copy of the string.
      String storedKey = key.equals(request.orderId()) ? request.orderId() : key;
      Charge charge = new Charge("ch_" + UUID.randomUUID(), storedKey, request,
          decline ? "DECLINED" : "AUTHORIZED", wasVoided ? VOIDED_REASON : "card declined", Instant.now());
      byKey.put(storedKey, charge);
      // Nearly every order has one charge: an immutable one-element list until a second comes.
      byOrder.merge(request.orderId(), List.of(charge), GatewaySimulatorVerticle::appended);
      all.add(charge);
      later(ctx, now, 201, charge.toJson(null));
    }
  }

  /**
   * {@code POST /v1/refunds} with an {@code Idempotency-Key} and {@code {orderId}}: refunds every authorized charge
   * of the order, or, when it has none yet, voids its payment, so that a charge asked for later is declined (a
   * cancellation can thus overtake a charge still on its way). The same key answers the same refund again. Recorded
   * before the simulated latency, like a charge, and subject to the same faults.
   */
  private void refund(RoutingContext ctx) {
    Faults now = faults;
    String key = ctx.request().getHeader("Idempotency-Key");
    String orderId = refundRequest(ctx);
    if (key == null || key.isBlank()) {
      later(ctx, now, 400, error("the Idempotency-Key header is required"));
    } else if (orderId == null) {
      later(ctx, now, 400, error("send JSON {orderId}"));
    } else if (now.outage()) {
      later(ctx, now, 503, error("the gateway is down (simulated outage)"));
    } else if (refundsByKey.containsKey(key)) {
      Refund earlier = refundsByKey.get(key);
      if (earlier.orderId().equals(orderId)) {
        later(ctx, now, 200, earlier.toJson());
      } else {
        later(ctx, now, 422, error("Idempotency-Key already used for a refund of another order"));
      }
    } else if (ThreadLocalRandom.current().nextDouble() < now.errorRate()) {
      later(ctx, now, 500, error("simulated gateway error; nothing was refunded"));
    } else {
      List<Charge> refundable = byOrder.getOrDefault(orderId, List.of()).stream()
          .filter(c -> c.status().equals("AUTHORIZED") && !refundOfCharge.containsKey(c.chargeId()))
          .toList();
      Refund refund = new Refund("re_" + UUID.randomUUID(), key, orderId, refundable, Instant.now());
      refundsByKey.put(key, refund);
      refundable.forEach(c -> refundOfCharge.put(c.chargeId(), refund));
      voided.add(orderId);
      later(ctx, now, 201, refund.toJson());
    }
  }

  /**
   * {@code ?orderId=…}: that order's charges. Without it, every charge in the order made, a page at a time:
   * {@code ?from=N&limit=M} (defaults 0 and {@value #DEFAULT_PAGE}, at most {@value #MAX_PAGE}) answers
   * {@code {charges, next}} where {@code next} is the {@code from} of the following page, absent after the last.
   */
  private void list(RoutingContext ctx) {
    String orderId = ctx.queryParams().get("orderId");
    if (orderId != null) {
      JsonArray charges = new JsonArray();
      byOrder.getOrDefault(orderId, List.of()).forEach(c -> charges.add(c.toJson(refundOfCharge.get(c.chargeId()))));
      json(ctx, 200, new JsonObject().put("orderId", orderId).put("charges", charges));
      return;
    }
    int from;
    int limit;
    try {
      from = Integer.parseInt(ctx.queryParams().get("from") == null ? "0" : ctx.queryParams().get("from"));
      limit = Integer.parseInt(ctx.queryParams().get("limit") == null ? "" + DEFAULT_PAGE
          : ctx.queryParams().get("limit"));
    } catch (NumberFormatException e) {
      json(ctx, 400, error("from and limit must be whole numbers"));
      return;
    }
    if (from < 0 || limit < 1 || limit > MAX_PAGE) {
      json(ctx, 400, error("from must be >= 0 and limit between 1 and " + MAX_PAGE));
      return;
    }
    int to = Math.min(all.size(), from + limit);
    JsonArray charges = new JsonArray();
    for (int i = from; i < to; i++) {
      Charge charge = all.get(i);
      charges.add(charge.toJson(refundOfCharge.get(charge.chargeId())));
    }
    JsonObject page = new JsonObject().put("charges", charges).put("total", all.size());
    if (to < all.size()) {
      page.put("next", to);
    }
    json(ctx, 200, page);
  }

  private void changeFaults(RoutingContext ctx) {
    try {
      faults = faults.with(ctx.body().asJsonObject());
      json(ctx, 200, faults.toJson());
    } catch (RuntimeException e) {
      json(ctx, 400, error("send JSON {latencyMs, errorRate, declineRate, outage}: " + e.getMessage()));
    }
  }

  private static List<Charge> appended(List<Charge> earlier, List<Charge> more) {
    List<Charge> all = new ArrayList<>(earlier);
    all.addAll(more);
    return all;
  }

  private static String refundRequest(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      String orderId = body == null ? null : body.getString("orderId");
      return orderId == null || orderId.isBlank() ? null : orderId;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static ChargeRequest chargeRequest(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        return null;
      }
      String orderId = body.getString("orderId");
      String customerId = body.getString("customerId");
      Long amount = body.getLong("amountMinor");
      String currency = body.getString("currency");
      boolean valid = orderId != null && !orderId.isBlank() && customerId != null && !customerId.isBlank()
          && amount != null && amount > 0 && currency != null && currency.matches("[A-Z]{3}");
      return valid ? new ChargeRequest(orderId, customerId, amount, currency) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void later(RoutingContext ctx, Faults now, int status, JsonObject body) {
    if (now.latencyMs() == 0) {
      json(ctx, status, body);
    } else {
      vertx.setTimer(now.latencyMs(), id -> json(ctx, status, body));
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().closed()) {
      ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }
}
