package dev.orderflow.http;

import dev.orderflow.config.HttpConfig;
import dev.orderflow.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server of one process: the routes of the contexts it runs, {@code /health/live},
 * {@code /health/ready}, {@code /metrics}, and problem+json for every error. Deploy one instance per event loop to
 * use every core.
 */
public final class ApiServer extends VerticleBase {

  private final HttpConfig config;
  private final LimitsConfig limits;
  private final ApiSecurity security;
  private final List<Routes> routes;
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private final Handler<RoutingContext> metrics;
  private final Failures failures;
  private final Admission admission;
  private final ApiListener listener;
  private volatile HttpServer server;

  /**
   * @param metrics serves {@code GET /metrics} (the Prometheus text format)
   * @param listener the listening socket and connections, shared by every instance of the process
   */
  public ApiServer(HttpConfig config, LimitsConfig limits, ApiSecurity security, List<Routes> routes,
      HealthChecks liveness, HealthChecks readiness, Handler<RoutingContext> metrics, Admission admission,
      ApiListener listener) {
    this.admission = admission;
    this.listener = listener;
    this.config = config;
    this.limits = limits;
    this.security = security;
    this.metrics = metrics;
    this.routes = List.copyOf(routes);
    this.liveness = liveness;
    this.readiness = readiness;
    this.failures = new Failures(config.retryAfterSeconds());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // While shutting down, every answer says Connection: close (see Edge), and the connection closes once it is
    // written, so that no connection outlives the listening socket idle (see ApiListener).
    router.route().handler(ctx -> {
      if (admission.closed()) {
        ctx.addEndHandler(ended -> {
          if ("close".equalsIgnoreCase(ctx.response().headers().get(HttpHeaders.CONNECTION))) {
            ctx.request().connection().close();
          }
        });
      }
      ctx.next();
    });
    new ApiDocs().mount(router);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    if (security.metricsOnApiPort()) {
      if (security.metricsAccess() != null) {
        router.get("/metrics").handler(security.authenticate()).handler(security.metricsAccess());
      }
      router.get("/metrics").handler(metrics);
    }
    // Every request to the protected resources is rate-limited, then authenticated, before any route's own
    // handler runs: a refused request costs a map lookup or a signature check, never NATS work.
    routes.forEach(r -> r.observe(router));
    var guarded = router.routeWithRegex("^/(orders|inventory)(/.*)?$");
    if (security.rateLimiter().enabled()) {
      guarded.handler(security.rateLimiter());
    }
    guarded.handler(security.authenticate());
    router.routeWithRegex("^/inventory(/.*)?$").handler(security.inventoryAccess());
    routes.forEach(r -> r.mount(router));
    router.route().failureHandler(failures::handle);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, failures::handleStatus);
    }
    // Edge's read timer also answers slow bodies (limits.bodyTimeoutMs) with 408 and closes their connection.
    Edge edge = new Edge(vertx, config, limits, failures, admission, listener);
    return vertx.createHttpServer(new HttpServerOptions()
            // HTTP/1.1 only: no cleartext HTTP/2 upgrade (h2c) to maintain on a plain JSON API.
            .setHttp2ClearTextEnabled(false)
            .setMaxHeaderSize(limits.maxHeaderBytes())
            .setMaxInitialLineLength(limits.maxRequestLineBytes())
            .setIdleTimeout((int) config.idleTimeout().toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setHost(config.host())
            .setPort(config.port()))
        .requestHandler(edge.before(router))
        // There is no WebSocket endpoint: an upgrade is refused. Having the hook at all also makes Vert.x hand a
        // request of an unknown HTTP version (HTTP/9.9) to the request handler, which answers it with a 400
        // problem+json, instead of answering it with a bare 501 itself.
        .webSocketHandshakeHandler(handshake -> handshake.reject(404))
        .invalidRequestHandler(edge::invalid)
        .connectionHandler(edge::connected)
        .exceptionHandler(edge::connectionError)
        .listen()
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    return closeListener();
  }

  /**
   * Closes this instance's server and every connection still open at once. Call it last, once the requests
   * admitted before shutdown have finished (until then the process keeps answering, 503 while shutting down), and
   * after {@link ApiListener#stopAccepting} and {@link ApiListener#connectionsClosed}, which leave it nothing to
   * close that a client is still using (that class says why Vert.x's own close or {@code shutdown(grace)} alone
   * would reset some). And call it while every event loop still runs.
   */
  public synchronized Future<Void> closeListener() {
    if (server == null) {
      return Future.succeededFuture();
    }
    HttpServer closing = server;
    server = null;
    return closing.close();
  }

  /** The port this instance listens on (useful when configured with port 0). */
  public synchronized int port() {
    return server == null ? -1 : server.actualPort();
  }
}
