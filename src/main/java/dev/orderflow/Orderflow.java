package dev.orderflow;

import dev.orderflow.access.AccessPolicy;
import dev.orderflow.access.ApiAuthentication;
import dev.orderflow.broker.EmbeddedNatsServer;
import dev.orderflow.config.Backoff;
import dev.orderflow.config.OrderflowConfig;
import dev.orderflow.config.Role;
import dev.orderflow.console.Console;
import dev.orderflow.gateway.GatewaySimulatorVerticle;
import dev.orderflow.http.Admission;
import dev.orderflow.http.ApiListener;
import dev.orderflow.http.ApiSecurity;
import dev.orderflow.http.ApiServer;
import dev.orderflow.http.ManagementServer;
import dev.orderflow.http.RateLimiter;
import dev.orderflow.http.Routes;
import dev.orderflow.inventory.InventoryApi;
import dev.orderflow.inventory.InventoryVerticle;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.nats.NatsBridge;
import dev.orderflow.messaging.operate.DeadLetterDesk;
import dev.orderflow.messaging.operate.TopologyFigures;
import dev.orderflow.observability.LogThrottle;
import dev.orderflow.observability.Observability;
import dev.orderflow.observability.Redaction;
import dev.orderflow.orders.OrderEventsVerticle;
import dev.orderflow.orders.OrderIndexFeed;
import dev.orderflow.orders.OrdersApi;
import dev.orderflow.payments.PaymentsVerticle;
import dev.orderflow.shipping.ShippingVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Orderflow process running the roles its configuration names. {@link #start} reads as the start-up script,
 * {@link #stop} as its mirror: the graceful shutdown of docs/architecture.md, delivery rule 7 (stop admitting
 * requests, stop pulling, let in-flight work settle, drain the connection, stop the embedded server).
 */
public final class Orderflow {

  private static final Logger LOG = LoggerFactory.getLogger(Orderflow.class);
  /** How long requests admitted before shutdown may take to finish. */
  private static final long REQUEST_GRACE_SECONDS = 10;
  /**
   * How long, once the API stopped accepting connections, those still open get to bring their next request (to be
   * answered 503 and closed): ample for a client in the middle of sending, even on a loaded machine whose event
   * loops lag a few hundred milliseconds; only a connection its client keeps idle waits it out.
   */
  private static final long CONNECTION_GRACE_MILLIS = 1_000;
  /** Between attempts to reach NATS at start-up: soon at first (a server a moment from ready), then every 2 s. */
  private static final Backoff STARTUP_BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

  private final Vertx vertx;
  private final OrderflowConfig config;
  private final Observability observability;
  private final Admission admission;
  private final RateLimiter rateLimiter;
  /** While start-up waits for NATS: the first failure, then a reminder every few seconds. */
  private final LogThrottle startupWarnings = new LogThrottle(Duration.ofSeconds(10));
  private ApiAuthentication authentication;
  private ManagementServer management;
  private long rateLimiterCleanup = -1;
  private final Deque<String> deployments = new ArrayDeque<>();
  private final List<ApiServer> apiServers = new CopyOnWriteArrayList<>();
  private final ApiListener apiListener = new ApiListener();
  private EmbeddedNatsServer embeddedNats;
  private OrderIndexFeed orderIndex;
  private NatsBridge bridge;
  private GatewaySimulatorVerticle gateway;
  private String gatewayDeployment;
  private String apiDeployment;
  private Console console;

  private Orderflow(Vertx vertx, OrderflowConfig config, Observability observability) {
    this.vertx = vertx;
    this.config = config;
    this.observability = observability;
    this.admission = new Admission(config.http().maxInFlightRequests());
    this.rateLimiter = new RateLimiter(config.limits());
  }

  /**
   * Starts a process with {@code config} on {@code vertx} (made by {@code observability}); fails, having stopped
   * what it started, if any step fails.
   */
  public static Future<Orderflow> start(Vertx vertx, OrderflowConfig config, Observability observability) {
    Orderflow app = new Orderflow(vertx, config, observability);
    return app.setUpAuthentication()
        .compose(v -> app.startNats())
        .compose(app::connectAndProvision)
        .compose(v -> app.deployGateway())
        .compose(v -> app.deployContexts())
        .compose(v -> app.deployApi())
        .map(v -> {
          LOG.info("Orderflow running roles {}: API on port {} ({} transport)", config.roles(), app.httpPort(),
              vertx.isNativeTransportEnabled() ? "native" : "NIO");
          if (app.console != null) {
            app.console.announce(app.httpPort());
          }
          return app;
        })
        .recover(failure -> app.stop().transform(stopped -> Future.failedFuture(failure)));
  }

  /**
   * Stops gracefully; safe to call more than once. Every request gets an answer or, at the very end, its
   * connection refused, never a reset: from the first moment every new request is answered 503
   * {@code shutting-down} with {@code Connection: close} (readiness is down too), for at least
   * {@code http.shutdownDelayMs} so that load balancers and clients move on. Once the requests admitted before
   * have finished (up to {@value #REQUEST_GRACE_SECONDS} s), the contexts stop (consumers stop pulling, in-flight
   * handlers settle), then the gateway simulator (so that charges in flight finish), then the NATS connection
   * drains. Only then does the API stop listening (new connections are refused); each connection still open
   * answers its next request and closes (for up to {@value #CONNECTION_GRACE_MILLIS} ms; see
   * {@link ApiListener}); the servers close, and the embedded server stops.
   */
  public Future<Void> stop() {
    boolean first = !admission.closed();
    admission.close();
    vertx.cancelTimer(rateLimiterCleanup);
    if (authentication != null) {
      authentication.close();
    }
    Future<Void> delayed = first && !apiServers.isEmpty() && !config.http().shutdownDelay().isZero()
        ? delay(config.http().shutdownDelay().toMillis()) : Future.succeededFuture();
    return delayed
        .compose(v -> admission.drained(vertx, Duration.ofSeconds(REQUEST_GRACE_SECONDS)))
        .compose(v -> stopDeployments());
  }

  private Future<Void> stopDeployments() {
    List<String> first = new ArrayList<>(deployments);
    deployments.clear();
    Future<Void> undeployed = Future.all(first.stream()
            .filter(id -> !id.equals(gatewayDeployment) && !id.equals(apiDeployment))
            .map(this::undeploy)
            .toList())
        .<Void>mapEmpty()
        .compose(v -> gatewayDeployment == null ? Future.<Void>succeededFuture() : undeploy(gatewayDeployment));
    return undeployed
        .compose(v -> bridge == null ? Future.<Void>succeededFuture() : bridge.close())
        .compose(v -> apiListener.stopAccepting())
        .compose(v -> apiListener.connectionsClosed(vertx, Duration.ofMillis(CONNECTION_GRACE_MILLIS)))
        .compose(v -> Future.all(apiServers.stream().map(ApiServer::closeListener).toList()).<Void>mapEmpty())
        .otherwise(e -> {
          LOG.warn("closing the HTTP listeners failed: {}", e.getMessage());
          return null;
        })
        .compose(v -> apiDeployment == null ? Future.<Void>succeededFuture() : undeploy(apiDeployment))
        .compose(v -> embeddedNats == null ? Future.<Void>succeededFuture() : embeddedNats.stop())
        .onComplete(v -> {
          bridge = null;
          embeddedNats = null;
          gatewayDeployment = null;
          apiDeployment = null;
        });
  }

  private Future<Void> delay(long millis) {
    io.vertx.core.Promise<Void> elapsed = io.vertx.core.Promise.promise();
    vertx.setTimer(millis, id -> elapsed.complete());
    return elapsed.future();
  }

  private Future<Void> undeploy(String id) {
    return vertx.undeploy(id).otherwise(e -> {
      LOG.warn("stopping {} failed: {}", id, e.getMessage());
      return null;
    });
  }

  /** The port of the HTTP API. */
  public int httpPort() {
    return apiServers.get(0).port();
  }

  /** The port of the gateway simulator, when this process runs it. */
  public int gatewayPort() {
    return gateway.port();
  }

  /** The port of the management listener, when enabled. */
  public int managementPort() {
    return management.port();
  }

  /**
   * First of all, so that a production configuration without keys stops before anything starts. Needed when this
   * process serves /orders or /inventory, or protects /metrics.
   */
  private Future<Void> setUpAuthentication() {
    boolean needed = config.runs(Role.ORDERS) || config.runs(Role.INVENTORY) || metricsProtected();
    if (!needed) {
      return Future.succeededFuture();
    }
    return ApiAuthentication.create(vertx, config.auth(), config.nats().embedded(), config.dataDir())
        .map(created -> {
          authentication = created;
          if (rateLimiter.enabled()) {
            rateLimiterCleanup = vertx.setPeriodic(60_000, id -> rateLimiter.forgetIdle(System.nanoTime()));
          }
          return null;
        });
  }

  private boolean metricsProtected() {
    return !config.management().enabled() && config.auth().metricsAccess().equals("operator");
  }

  private ApiSecurity apiSecurity() {
    if (authentication == null) {
      // No protected resource is served by this process: nothing to authenticate.
      return new ApiSecurity(rateLimiter, ctx -> ctx.next(), ctx -> ctx.next(), null, !config.management().enabled());
    }
    return new ApiSecurity(rateLimiter,
        authentication::authenticate,
        authentication.require(AccessPolicy::readInventory, "read the inventory"),
        metricsProtected() ? authentication.require(AccessPolicy::readMetrics, "read the metrics") : null,
        !config.management().enabled());
  }

  private Future<String> startNats() {
    if (!config.nats().embedded()) {
      return Future.succeededFuture(config.nats().url());
    }
    return EmbeddedNatsServer.start(vertx, config.embeddedNats(), config.dataDir(), config.natsSecurity())
        .map(server -> {
          embeddedNats = server;
          return server.url();
        });
  }

  /**
   * Connects and provisions the JetStream assets, trying again while NATS is not there yet or its cluster has no
   * JetStream leader yet (a whole stack started at once, a node restarting), for up to
   * {@code nats.startupTimeoutSeconds}. Refused credentials, TLS failures and assets the servers refuse are not
   * retried: waiting does not mend them.
   */
  private Future<Void> connectAndProvision(String url) {
    return connectAndProvision(url, System.nanoTime() + config.nats().startupTimeout().toNanos(), 0);
  }

  private Future<Void> connectAndProvision(String url, long deadline, int failures) {
    return (bridge == null ? connect(url) : Future.<Void>succeededFuture())
        .compose(v -> provision())
        .recover(failure -> {
          if (!(failure instanceof BrokerUnavailable)) {
            return Future.failedFuture(failure);
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return Future.failedFuture(failures == 0 ? failure : new BrokerUnavailable("NATS at "
                + Redaction.urls(url) + " was not ready within " + config.nats().startupTimeout().toSeconds()
                + " s (nats.startupTimeoutSeconds): " + Redaction.urls(failure.getMessage()), failure));
          }
          if (startupWarnings.allow()) {
            LOG.warn("NATS at {} is not ready yet ({}); trying again for up to {} s", Redaction.urls(url),
                Redaction.urls(failure.getMessage()), TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999));
          }
          // Never past the deadline: the last attempt is made at it.
          long pause = STARTUP_BACKOFF.delay(failures + 1).toMillis();
          pause = Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1);
          return delay(pause).compose(v -> connectAndProvision(url, deadline, failures + 1));
        });
  }

  private Future<Void> connect(String url) {
    return NatsBridge.connect(vertx, url, config.nats(),
            embeddedNats == null ? config.natsSecurity() : embeddedNats.clientSecurity(), config.consumers(),
            observability.openTelemetry(), observability.registry())
        .map(connected -> {
          bridge = connected;
          return null;
        });
  }

  private Future<Void> provision() {
    return bridge.provision(config.http().idempotencyKeyTtl());
  }

  private Future<Void> deployGateway() {
    if (!config.runs(Role.GATEWAY)) {
      return Future.succeededFuture();
    }
    gateway = new GatewaySimulatorVerticle(config.gateway());
    return deploy(gateway).onSuccess(v -> {
      gatewayDeployment = deployments.peek();
      LOG.info("Payment gateway simulator on port {}", gateway.port());
    });
  }

  private Future<Void> deployContexts() {
    List<VerticleBase> contexts = new ArrayList<>();
    if (config.runs(Role.ORDERS)) {
      contexts.add(new OrderEventsVerticle(bridge, observability.registry()));
      orderIndex = new OrderIndexFeed(bridge, config.dataDir());
      contexts.add(orderIndex);
    }
    if (config.runs(Role.INVENTORY)) {
      contexts.add(new InventoryVerticle(bridge, config.catalogue()));
    }
    if (config.runs(Role.PAYMENTS)) {
      contexts.add(new PaymentsVerticle(bridge, config.payments(), observability.registry()));
    }
    if (config.runs(Role.SHIPPING)) {
      contexts.add(new ShippingVerticle(bridge, observability.registry()));
    }
    Future<Void> deployed = Future.succeededFuture();
    for (VerticleBase context : contexts) {
      deployed = deployed.compose(v -> deploy(context));
    }
    return deployed;
  }

  private Future<Void> deployApi() {
    List<Routes> routes = new ArrayList<>();
    if (config.runs(Role.ORDERS)) {
      routes.add(new OrdersApi(config.http(), config.catalogue(), bridge, admission, observability.registry(),
          orderIndex));
    }
    if (config.runs(Role.INVENTORY)) {
      routes.add(new InventoryApi(config.catalogue(), bridge, admission));
    }
    Future<Void> consoleReady = Future.succeededFuture();
    if (config.runs(Role.ORDERS)) {
      // The operator's console sits beside the orders API, whose order views it shows.
      console = new Console(vertx, bridge.eventLog(), DeadLetterDesk.on(bridge), TopologyFigures.on(bridge),
          observability.registry(), authentication, rateLimiter, admission);
      routes.add(console);
      consoleReady = deploy(console.flow());
    }
    HealthChecks liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    HealthChecks readiness = HealthChecks.create(vertx)
        .register("nats", promise -> promise.complete(bridge != null && bridge.connected() ? Status.OK() : Status.KO()))
        .register("topology", promise -> promise.complete(bridge == null ? Status.KO()
            : bridge.missingTopology().isEmpty() ? Status.OK()
            : Status.KO(new JsonObject().put("missing", new JsonArray(bridge.missingTopology())))))
        .register("admitting", promise -> promise.complete(admission.closed() ? Status.KO() : Status.OK()));
    ApiSecurity security = apiSecurity();
    Future<Void> managed = consoleReady;
    if (config.management().enabled()) {
      management = new ManagementServer(config.management(), liveness, readiness,
          PrometheusScrapingHandler.create(observability.registry()));
      managed = managed.compose(v -> deploy(management))
          .onSuccess(v -> LOG.info("Management listener (/metrics, /health) on {}:{}", config.management().host(),
              management.port()));
    }
    return managed.compose(v -> vertx.deployVerticle(() -> {
          ApiServer server = new ApiServer(config.http(), config.limits(), security, routes, liveness, readiness,
              PrometheusScrapingHandler.create(observability.registry()), admission, apiListener);
          apiServers.add(server);
          return server;
        }, new DeploymentOptions().setInstances(config.http().instances())))
        .map(id -> {
          deployments.push(id);
          apiDeployment = id;
          return null;
        });
  }

  private Future<Void> deploy(VerticleBase verticle) {
    return vertx.deployVerticle(verticle).map(id -> {
      deployments.push(id);
      return null;
    });
  }
}
