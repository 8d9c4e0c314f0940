package dev.orderflow.http;

import dev.orderflow.config.ManagementConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * The management listener ({@code management.enabled}): {@code /metrics} and the health endpoints on their own host
 * and port, open, for a network only monitoring reaches. {@code /metrics} is then not served on the API's port.
 */
public final class ManagementServer extends VerticleBase {

  private final ManagementConfig config;
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private final Handler<RoutingContext> metrics;
  private HttpServer server;

  public ManagementServer(ManagementConfig config, HealthChecks liveness, HealthChecks readiness,
      Handler<RoutingContext> metrics) {
    this.config = config;
    this.liveness = liveness;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get("/metrics").handler(metrics);
    return vertx.createHttpServer(new HttpServerOptions()
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

  public int port() {
    return server.actualPort();
  }
}
