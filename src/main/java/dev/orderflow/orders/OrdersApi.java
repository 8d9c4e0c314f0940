package dev.orderflow.orders;

import dev.orderflow.access.ApiAuthentication;
import dev.orderflow.config.Catalogue;
import dev.orderflow.config.HttpConfig;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.http.Admission;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.http.Routes;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.SagaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code POST /orders}, {@code GET /orders} ({@link OrderQueries}), {@code GET /orders/{id}} and
 * {@code POST /orders/{id}/cancel}. An order is accepted (202)
 * only once JetStream has acknowledged its {@code OrderPlaced}; a request refused for any reason publishes nothing.
 */
public final class OrdersApi implements Routes {

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final HttpConfig config;
  private final Admission admission;
  private final OrderRequests requests;
  private final EventPublisher publisher;
  private final OrderViews views;
  private final IdempotencyKeys idempotencyKeys;
  private final OrderMetrics metrics;
  private final OrderDecisions decisions;
  private final SagaMetrics sagaMetrics;

  private final OrderQueries queries;

  /** {@code index}: the order list's read model, kept by the orders context in this process. */
  public OrdersApi(HttpConfig config, Catalogue catalogue, Messaging messaging, Admission admission,
      MeterRegistry registry, OrderIndexFeed index) {
    this.metrics = new OrderMetrics(registry);
    this.config = config;
    this.admission = admission;
    this.requests = new OrderRequests(config, catalogue);
    this.publisher = messaging.publisher();
    this.views = new OrderViews(messaging.eventLog());
    this.idempotencyKeys = new IdempotencyKeys(messaging.keyValue(Topology.IDEMPOTENCY_KEYS));
    this.decisions = new OrderDecisions(OrderDecisions.Records.of(messaging.eventLog()), messaging.publisher());
    this.sagaMetrics = new SagaMetrics(registry);
    this.queries = new OrderQueries(index, messaging.publisher(), messaging.eventLog());
  }

  @Override
  public void observe(Router router) {
    // A route of its own, ahead of the rate limit, the authentication and the admission check, so that every
    // answer is counted (a 401 or a 429 too).
    router.post("/orders").handler(ctx -> {
      // Only answers count: a request whose connection closed unanswered has no status (it is not a "200").
      ctx.addEndHandler(done -> {
        if (done.succeeded() && ctx.response().ended()) {
          metrics.answered(ctx.response().getStatusCode());
        }
      });
      ctx.next();
    });
  }

  @Override
  public void mount(Router router) {
    router.post("/orders")
        .handler(admission)
        // Sized once from Content-Length (at most the limit): growing it as the chunks came copied 64 KiB bodies
        // about seven times over.
        .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setPreallocateBodyBuffer(true))
        .handler(this::place);
    router.get("/orders").handler(admission).handler(queries::list);
    router.get("/orders/:id").handler(admission).handler(this::show);
    router.post("/orders/:id/cancel").handler(admission).handler(this::cancel);
  }

  private void place(RoutingContext ctx) {
    PlaceOrder order = requests.validate(jsonBody(ctx));
    // Access: a customer orders only as itself (403 otherwise), checked before any NATS work.
    ApiAuthentication.checkPlaceOrder(ctx, order.customerId());
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    Future<OrderPlaced> placed;
    if (key == null) {
      placed = Future.succeededFuture(order.toEvent(newOrderId(), Instant.now()));
    } else {
      IdempotencyKeys.check(key);
      placed = idempotencyKeys.claim(order.customerId(), key, order.fingerprint(),
          () -> order.toEvent(newOrderId(), Instant.now()));
    }
    boolean keyed = key != null;
    placed
        .map(event -> {
          // The order's id as the only baggage, for every log line of the order (a caller's own entries stay out).
          Context withOrder = Baggage.builder().put("order_id", event.getOrderId()).build()
              .storeInContext(Context.current());
          Scope scope = withOrder.makeCurrent();
          ctx.addEndHandler(done -> scope.close());
          return event;
        })
        .compose(event -> publish(event, keyed).map(event.getOrderId()))
        .onSuccess(orderId -> ctx.response()
            .setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, "/orders/" + orderId)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("orderId", orderId).put("status", OrderStatus.PENDING.name()).encode()))
        .onFailure(ctx::fail);
  }

  /**
   * A keyed order may be a retry of one already stored, long after the duplicate window: it is published only if
   * its order has no {@code OrderPlaced} yet, and the one stored stands. A new order (a new id) needs no check.
   */
  private Future<?> publish(OrderPlaced event, boolean keyed) {
    return keyed
        ? publisher.publishFirst(Topology.ORDER_PLACED, event.getOrderId(), event, EventPublisher.First.OF_ITS_TYPE)
        : publisher.publish(Topology.ORDER_PLACED, event.getOrderId(), event);
  }

  private void show(RoutingContext ctx) {
    String orderId = ctx.pathParam("id");
    if (!OrderRequests.plausibleOrderId(orderId)) { // at the edge: a.b or a..b is no order id, not a lookup
      throw HttpProblem.notFound("There is no order " + orderId);
    }
    views.get(orderId)
        .onSuccess(view -> {
          // Access: another customer's order is answered like an unknown one, so ids cannot be probed.
          if (view == null || !ApiAuthentication.mayReadOrder(ctx, view.customerId())) {
            ctx.fail(HttpProblem.notFound("There is no order " + orderId
                + " (an order accepted moments ago appears within moments)"));
          } else {
            ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(OrderJson.toJson(view).toBuffer());
          }
        })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /orders/{id}/cancel}: 202 once the cancellation is stored, so that the order can no longer be
   * confirmed for shipping ({@link OrderDecisions}); 409 when it was confirmed (or shipped, or cancelled for another
   * reason) first; 404 for an order the caller may not see. Asking again answers 202 again: one cancellation.
   */
  private void cancel(RoutingContext ctx) {
    String orderId = ctx.pathParam("id");
    if (!OrderRequests.plausibleOrderId(orderId)) {
      throw HttpProblem.notFound("There is no order " + orderId);
    }
    views.get(orderId)
        .compose(view -> {
          if (view == null || !ApiAuthentication.mayReadOrder(ctx, view.customerId())) {
            throw HttpProblem.notFound("There is no order " + orderId);
          }
          CancellationReason reason = ApiAuthentication.isCustomer(ctx, view.customerId())
              ? CancellationReason.CUSTOMER_REQUESTED : CancellationReason.OPERATOR_REQUESTED;
          return switch (view.status()) {
            case SHIPPED, CONFIRMED -> Future.failedFuture(notCancellable(view.id(), view.status().name(), null));
            case CANCELLED -> view.cancellationReason() == reason ? Future.succeededFuture(reason)
                : Future.failedFuture(notCancellable(view.id(), "CANCELLED", view.cancellationReason()));
            default -> decide(view, reason);
          };
        })
        .onSuccess(reason -> ctx.response()
            .setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, "/orders/" + orderId)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("orderId", orderId).put("status", OrderStatus.CANCELLED.name())
                .put("cancellationReason", reason.name()).encode()))
        .onFailure(ctx::fail);
  }

  private Future<CancellationReason> decide(Order view, CancellationReason reason) {
    Instant placedAt = view.transitions().get(OrderStatus.PENDING);
    return decisions.cancel(view.id(), reason, EventTime.of(placedAt)).compose(decision -> {
      OrderCancelled cancelled = decision.cancellation();
      if (decision.stored()) {
        sagaMetrics.cancelled(reason.name(), placedAt, EventTime.toInstant(cancelled.getOccurredAt()));
        return Future.succeededFuture(reason);
      }
      if (cancelled != null) {
        return cancelled.getReason() == reason ? Future.succeededFuture(reason)
            : Future.failedFuture(notCancellable(view.id(), "CANCELLED", cancelled.getReason()));
      }
      // Confirmed first: it ships (or already has).
      return views.get(view.id()).compose(now -> Future.failedFuture(
          notCancellable(view.id(), now == null ? "CONFIRMED" : now.status().name(), null)));
    });
  }

  private static HttpProblem notCancellable(String orderId, String status, CancellationReason reason) {
    String detail = switch (status) {
      case "CANCELLED" -> "Order " + orderId + " is already CANCELLED (" + reason + ")";
      case "SHIPPED" -> "Order " + orderId + " is SHIPPED";
      default -> "Order " + orderId + " is " + status + ": its shipment is decided and it can no longer be cancelled";
    };
    return HttpProblem.of(409, "order-not-cancellable", "Order not cancellable", detail)
        .withMember("orderStatus", status);
  }

  private JsonObject jsonBody(RoutingContext ctx) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw HttpProblem.of(415, "unsupported-media-type", "Unsupported media type",
          "Send the order as application/json" + (contentType == null ? "" : ", not " + contentType));
    }
    return requests.read(ctx.body().buffer()); // strict: comments, duplicates etc. are a 400
  }

  private static String newOrderId() {
    return UUID.randomUUID().toString();
  }
}
