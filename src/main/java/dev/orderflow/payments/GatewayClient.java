package dev.orderflow.payments;

import dev.orderflow.config.PaymentsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client of the payment gateway: {@code POST /v1/charges} with the order id as {@code Idempotency-Key}, a
 * deadline per request, and the circuit breaker {@value #BREAKER} that stops calling a gateway that keeps failing
 * (5xx answers, timeouts, refused connections) until its reset timeout has passed. Answers the gateway gives on
 * purpose (a decline, a 4xx refusal) do not count as failures of the gateway.
 */
final class GatewayClient implements Charging.Gateway, Refunds.Gateway {

  static final String BREAKER = "payment-gateway";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayClient.class);

  /** A charge the gateway made (or had made under the same idempotency key). */
  record Charge(String chargeId, boolean authorized, String reason) {}

  /**
   * A refund the gateway made: of the order's charge ({@code chargeId}, {@code amountMinor}), or, when there was
   * none to refund, a void of the order's payment ({@code refunded} false), after which the gateway declines it.
   */
  record Refund(String refundId, boolean refunded, String chargeId, long amountMinor, String currency) {}

  /** The gateway could not be reached or failed; worth retrying later. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** The gateway refused the request itself (a 4xx); repeating it will not help. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final PaymentsConfig config;
  private final WebClient client;
  private final CircuitBreaker breaker;

  GatewayClient(Vertx vertx, PaymentsConfig config, MeterRegistry registry) {
    this.config = config;
    WebClient plain = WebClient.create(vertx, new WebClientOptions().setUserAgent("orderflow-payments"),
        new PoolOptions().setHttp1MaxSize(config.maxConnections()));
    // The gateway's token on every request this client makes, so that none can go without it.
    this.client = config.gatewayToken().present()
        ? WebClientSession.create(plain).addHeader("Authorization", "Bearer " + config.gatewayToken().reveal())
        : plain;
    this.breaker = CircuitBreaker.create(BREAKER, vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.breakerMaxFailures())
            .setResetTimeout(config.breakerResetTimeout().toMillis())
            // The request has its own deadline; the breaker's would only duplicate it.
            .setTimeout(-1))
        .openHandler(v -> LOG.warn("circuit breaker {} opened: the gateway keeps failing", BREAKER))
        .halfOpenHandler(v -> LOG.info("circuit breaker {} half-open: trying the gateway again", BREAKER))
        .closeHandler(v -> LOG.info("circuit breaker {} closed: the gateway answers again", BREAKER));
    Gauge.builder("orderflow.circuit.breaker.state", breaker, b -> switch (b.state()) {
          case CLOSED -> 0;
          case HALF_OPEN -> 1;
          case OPEN -> 2;
        })
        .description("State of a circuit breaker: 0 closed, 1 half-open, 2 open")
        .tag("name", BREAKER)
        .register(registry);
  }

  /** Charges {@code amountMinor} to {@code customerId} for {@code orderId}; at most once per order id. */
  @Override
  public Future<Charge> charge(String orderId, String customerId, long amountMinor, String currency) {
    JsonObject request = new JsonObject()
        .put("orderId", orderId)
        .put("customerId", customerId)
        .put("amountMinor", amountMinor)
        .put("currency", currency);
    return breaker.<HttpResponse<Buffer>>execute(() -> client
            .postAbs(config.gatewayUrl() + "/v1/charges")
            .putHeader("Idempotency-Key", orderId)
            .timeout(config.requestTimeout().toMillis())
            .sendJsonObject(request)
            .recover(e -> Future.failedFuture(new Unavailable("gateway unreachable: " + e.getMessage())))
            .compose(response -> response.statusCode() >= 500
                ? Future.failedFuture(new Unavailable("gateway answered " + response.statusCode()))
                : Future.succeededFuture(response)))
        .recover(e -> Future.failedFuture(e instanceof Unavailable ? e
            : new Unavailable("circuit breaker " + BREAKER + ": " + e.getMessage())))
        .map(GatewayClient::toCharge);
  }

  /**
   * Refunds the order's charge, or voids its payment if it has none yet; at most once per order (the key is derived
   * from the order id). Through the circuit breaker, like a charge: the same gateway, failing the same way.
   */
  @Override
  public Future<Refund> refund(String orderId) {
    return breaker.<HttpResponse<Buffer>>execute(() -> client
            .postAbs(config.gatewayUrl() + "/v1/refunds")
            .putHeader("Idempotency-Key", "refund:" + orderId)
            .timeout(config.requestTimeout().toMillis())
            .sendJsonObject(new JsonObject().put("orderId", orderId))
            .recover(e -> Future.failedFuture(new Unavailable("gateway unreachable: " + e.getMessage())))
            .compose(response -> response.statusCode() >= 500
                ? Future.failedFuture(new Unavailable("gateway answered " + response.statusCode()))
                : Future.succeededFuture(response)))
        .recover(e -> Future.failedFuture(e instanceof Unavailable ? e
            : new Unavailable("circuit breaker " + BREAKER + ": " + e.getMessage())))
        .map(GatewayClient::toRefund);
  }

  /**
   * The charge the gateway made for {@code orderId}, if any, from its charge log. Outside the circuit breaker: it
   * is asked only before giving up on an order, to tell "not charged" from "charged, answer lost".
   */
  @Override
  public Future<Optional<Charge>> findCharge(String orderId) {
    return client.getAbs(config.gatewayUrl() + "/v1/charges")
        .addQueryParam("orderId", orderId)
        .timeout(config.requestTimeout().toMillis())
        .send()
        .recover(e -> Future.failedFuture(new Unavailable("gateway charge log unreachable: " + e.getMessage())))
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new Unavailable("gateway charge log answered " + response.statusCode());
          }
          JsonArray charges = response.bodyAsJsonObject().getJsonArray("charges", new JsonArray());
          return charges.isEmpty() ? Optional.<Charge>empty() : Optional.of(toCharge(charges.getJsonObject(0)));
        });
  }

  private static Refund toRefund(HttpResponse<Buffer> response) {
    if (response.statusCode() >= 400) {
      throw new Refused("gateway refused the refund with " + response.statusCode() + ": " + response.bodyAsString());
    }
    JsonObject body = response.bodyAsJsonObject();
    String status = body.getString("status", "");
    if (!status.equals("REFUNDED") && !status.equals("VOIDED")) {
      throw new Refused("gateway answered an unknown refund status '" + status + "'");
    }
    JsonArray charges = body.getJsonArray("chargeIds", new JsonArray());
    return new Refund(body.getString("refundId", ""), status.equals("REFUNDED"),
        charges.isEmpty() ? "" : charges.getString(0), body.getLong("amountMinor", 0L), body.getString("currency", ""));
  }

  private static Charge toCharge(HttpResponse<Buffer> response) {
    if (response.statusCode() >= 400) {
      throw new Refused("gateway refused the charge with " + response.statusCode() + ": " + response.bodyAsString());
    }
    return toCharge(response.bodyAsJsonObject());
  }

  private static Charge toCharge(JsonObject body) {
    String status = body.getString("status", "");
    if (!status.equals("AUTHORIZED") && !status.equals("DECLINED")) {
      throw new Refused("gateway answered an unknown charge status '" + status + "'");
    }
    return new Charge(body.getString("chargeId", ""), status.equals("AUTHORIZED"), body.getString("reason", ""));
  }
}
