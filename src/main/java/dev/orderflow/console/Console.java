package dev.orderflow.console;

import dev.orderflow.access.AccessPolicy;
import dev.orderflow.access.ApiAuthentication;
import dev.orderflow.events.OrderIds;
import dev.orderflow.http.Admission;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.http.RateLimiter;
import dev.orderflow.http.Routes;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.operate.DeadLetterDesk;
import dev.orderflow.messaging.operate.TopologyFigures;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CSPHandler;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's console and the admin API behind it, for operators only (the API's bearer tokens, with the
 * operator role): {@code /console} (the page, its files, the live flow's event stream {@code /console/flow}, and in
 * development mode the development operator's token, to this machine only), {@code /admin/dead-letters} and
 * {@code /admin/orders/{id}/events}. Every answer carries a strict Content-Security-Policy (same origin, no inline
 * script or style); the page inserts everything it shows as text.
 */
public final class Console implements Routes {

  private static final Logger LOG = LoggerFactory.getLogger(Console.class);
  /** Dead letters read at most to find an order's (they name their order only in a header). */
  static final int ORDER_LETTERS_SCAN = 10_000;
  private static final int MAX_BODY_BYTES = 16 * 1024;
  private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

  private final ApiAuthentication authentication;
  private final RateLimiter rateLimiter;
  private final Admission admission;
  private final EventLog eventLog;
  private final DeadLetterDesk desk;
  private final WorkerExecutor worker;
  private final FlowHub hub;
  private final DeadLetterApi deadLetters;
  private final ConsoleAssets assets = new ConsoleAssets();

  /**
   * @param desk the dead letters, on the service's connection
   * @param figures the topology's counts, on the service's connection
   */
  public Console(Vertx vertx, EventLog eventLog, DeadLetterDesk desk, TopologyFigures figures, MeterRegistry registry,
      ApiAuthentication authentication, RateLimiter rateLimiter, Admission admission) {
    this.authentication = authentication;
    this.rateLimiter = rateLimiter;
    this.admission = admission;
    this.eventLog = eventLog;
    this.desk = desk;
    // The console's blocking broker calls (jnats's management API) share two worker threads of their own, so that
    // an operator's look can never take the threads the service needs.
    this.worker = vertx.createSharedWorkerExecutor("orderflow-console", 2);
    this.hub = new FlowHub(figures::read, new MeterReadings(registry), worker);
    this.deadLetters = new DeadLetterApi(desk, worker);
  }

  /** The live flow's aggregation: deploy it with the API, undeploy it at shutdown (it closes the event streams). */
  public VerticleBase flow() {
    return hub;
  }

  /** Says at start-up where the console is and how to sign in. */
  public void announce(int port) {
    if (authentication.development()) {
      LOG.info("Operator console: http://localhost:{}/console (development mode: opened from this machine, it signs "
          + "in with the development operator token by itself)", port);
    } else {
      LOG.info("Operator console: http://<this host>:{}/console (sign in with an operator's bearer token)", port);
    }
  }

  @Override
  public void mount(Router router) {
    Handler<RoutingContext> headers = securityHeaders();
    router.route("/console*").handler(headers);
    router.route("/admin/*").handler(headers);
    router.get("/console").handler(assets::page);
    router.get("/console/").handler(assets::page);
    router.get("/console/assets/:file").handler(assets::file);
    router.get("/console/dev-token").handler(this::developmentToken);
    guard(router.get("/console/flow")).handler(hub::watch);
    guard(router.route("/admin/*"));
    router.get("/admin/dead-letters").handler(admission).handler(deadLetters::list);
    withBody(router.post("/admin/dead-letters/send-back")).handler(deadLetters::sendBackSelection);
    withBody(router.post("/admin/dead-letters/discard")).handler(deadLetters::discardSelection);
    router.post("/admin/dead-letters/:sequence/send-back").handler(admission).handler(deadLetters::sendBack);
    router.delete("/admin/dead-letters/:sequence").handler(admission).handler(deadLetters::discard);
    router.get("/admin/orders/:id/events").handler(admission).handler(this::timeline);
  }

  /** Rate limit, bearer token, operator role: before any of the route's own work. */
  private Route guard(Route route) {
    if (rateLimiter.enabled()) {
      route.handler(rateLimiter);
    }
    return route.handler(authentication::authenticate)
        .handler(authentication.require(AccessPolicy::operate, "use the operator's console and the admin API"));
  }

  private Route withBody(Route route) {
    return route.handler(admission).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      String media = type == null ? "" : type.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (!media.equals("application/json")) {
        throw HttpProblem.of(415, "unsupported-media-type", "Unsupported media type", "Send application/json");
      }
      ctx.next();
    });
  }

  /**
   * Same origin only, no inline script or style, no framing, no referrer: what the page shows comes from customers
   * and the broker, and must never run as code.
   */
  private static Handler<RoutingContext> securityHeaders() {
    CSPHandler csp = CSPHandler.create()
        .setDirective("default-src", "'none'")
        .setDirective("script-src", "'self'")
        .setDirective("style-src", "'self'")
        .setDirective("img-src", "'self'")
        .setDirective("connect-src", "'self'")
        .setDirective("base-uri", "'none'")
        .setDirective("form-action", "'none'")
        .setDirective("frame-ancestors", "'none'");
    return ctx -> {
      ctx.response()
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("X-Frame-Options", "DENY");
      csp.handle(ctx);
    };
  }

  /**
   * {@code GET /console/dev-token}: in development mode only, and only to a browser on this machine that calls the
   * service by a loopback name (a page of another site that rebinds its own name to 127.0.0.1 gets nothing); to
   * anyone else it does not exist.
   */
  private void developmentToken(RoutingContext ctx) {
    var token = authentication.developmentOperatorToken();
    if (token.isEmpty() || !fromThisMachine(ctx)) {
      throw HttpProblem.notFound("No resource at GET " + ctx.request().path());
    }
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    DeadLetterApi.json(ctx, 200, new JsonObject().put("token", token.get()).put("name", "operator"));
  }

  static boolean fromThisMachine(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    String host = ctx.request().authority() == null ? "" : ctx.request().authority().host();
    boolean loopbackName = LOOPBACK_HOSTS.contains(host.toLowerCase(java.util.Locale.ROOT))
        || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    return remote != null && remote.hostAddress() != null && loopbackAddress(remote.hostAddress()) && loopbackName;
  }

  private static boolean loopbackAddress(String address) {
    return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
  }

  /** {@code GET /admin/orders/{id}/events}: the order's timeline, read from the streams and the dead letters. */
  private void timeline(RoutingContext ctx) {
    String orderId = ctx.pathParam("id");
    if (!OrderIds.valid(orderId)) {
      throw HttpProblem.notFound("There is no order " + orderId);
    }
    var events = eventLog.history(orderId);
    var letters = worker.executeBlocking(() -> desk.forOrder(orderId, ORDER_LETTERS_SCAN), false);
    Future.all(events, letters)
        .onSuccess(all -> {
          if (events.result().isEmpty() && letters.result().isEmpty()) {
            ctx.fail(HttpProblem.notFound("No event is stored for order " + orderId));
            return;
          }
          DeadLetterApi.json(ctx, 200, Timeline.of(orderId, events.result(), letters.result(), Instant.now()));
        })
        .onFailure(e -> ctx.fail(DeadLetterApi.problem(e)));
  }
}
