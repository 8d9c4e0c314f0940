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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Orderflow process running the roles its configuration names, as a list of {@link Stage}s: {@link #start}
 * starts them in the order of {@code startUp}, {@link #stop} stops them in the steps of {@code shutdown} (the
 * graceful shutdown of docs/architecture.md, delivery rule 7).
 *
 * <p>Shutdown is not start-up reversed: requests must stop coming in first and the listeners close almost last,
 * once the work those requests started has settled. So the API is two stages, admission (first to stop) and its
 * listeners (stopped after the NATS connection), and the stop order is written out as a list of its own rather than
 * derived, so that a reader sees it in one place; the constructor checks that it names every stage once.
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
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  /** The gateway simulator, when this process runs it. */
  private final GatewaySimulatorVerticle gateway;
  /** The management listener, when enabled. */
  private final ManagementServer management;
  private final ApiListener apiListener = new ApiListener();
  private final List<ApiServer> apiServers = new CopyOnWriteArrayList<>();

  // What one stage makes for the stages after it: null until it has (or when the configuration leaves it out).
  private ApiAuthentication authentication;
  private long rateLimiterCleanup = -1;
  private EmbeddedNatsServer embeddedNats;
  private NatsBridge bridge;
  private OrderIndexFeed orderIndex;
  private Console console;

  /** In the order they start: each needs what those before it made. */
  private final List<Stage> startUp;
  /** In the order they stop, step by step; the stages of one step stop together. */
  private final List<List<Stage>> shutdown;

  private Orderflow(Vertx vertx, OrderflowConfig config, Observability observability) {
    this.vertx = vertx;
    this.config = config;
    this.observability = observability;
    this.admission = new Admission(config.http().maxInFlightRequests());
    this.rateLimiter = new RateLimiter(config.limits());
    this.liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    this.readiness = readinessChecks();
    this.gateway = config.runs(Role.GATEWAY) ? new GatewaySimulatorVerticle(config.gateway()) : null;
    this.management = config.management().enabled() ? new ManagementServer(config.management(), liveness, readiness,
        PrometheusScrapingHandler.create(observability.registry())) : null;

    Stage authenticating = new Stage("authentication", this::setUpAuthentication, this::closeAuthentication);
    Stage embeddedServer = new Stage("embedded nats-server", this::startNats, this::stopNats);
    Stage connection = new Stage("NATS connection", this::connectAndProvision, this::closeBridge);
    Stage simulator = deploying("gateway simulator", this::deployGateway);
    Stage contexts = deploying("contexts", this::deployContexts);
    Stage admitting = new Stage("admission", Future::succeededFuture, this::closeAdmission);
    Stage operatorConsole = deploying("console", this::deployConsole);
    Stage managementListener = deploying("management listener", this::deployManagement);
    Deployments apiDeployment = new Deployments(vertx);
    Stage api = new Stage("API listeners", () -> deployApi(apiDeployment), () -> closeApi(apiDeployment));

    startUp = List.of(authenticating, embeddedServer, connection, simulator, contexts, admitting, operatorConsole,
        managementListener, api);
    shutdown = List.of(
        // Every new request is answered 503 from the first moment, and the admitted ones finish; authentication's
        // timers (key refresh, the rate limiter's cleanup) stop with it, a closing process needing neither.
        List.of(admitting, authenticating),
        // Consumers stop pulling and in-flight handlers settle; the console's streams and /metrics end.
        List.of(contexts, operatorConsole, managementListener),
        // After the contexts, so that the charges payments has in flight get their answers.
        List.of(simulator),
        List.of(connection),
        // Only now, with nothing left to do for a request: until here every one was answered.
        List.of(api),
        List.of(embeddedServer));
    List<Stage> stopped = shutdown.stream().flatMap(List::stream).toList();
    if (stopped.size() != startUp.size() || !stopped.containsAll(startUp)) {
      throw new IllegalStateException("shutdown must stop each stage of start-up once: " + shutdown);
    }
  }

  /**
   * Starts a process with {@code config} on {@code vertx} (made by {@code observability}); fails, having stopped
   * what it started, if any step fails.
   */
  public static Future<Orderflow> start(Vertx vertx, OrderflowConfig config, Observability observability) {
    Orderflow app = new Orderflow(vertx, config, observability);
    Future<Void> started = Future.succeededFuture();
    for (Stage stage : app.startUp) {
      started = started.compose(v -> stage.start());
    }
    return started
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
   * Stops gracefully, in the steps of {@code shutdown}; safe to call more than once. Every request gets an answer
   * or, at the very end, its connection refused, never a reset.
   */
  public Future<Void> stop() {
    Future<Void> stopped = Future.succeededFuture();
    for (List<Stage> step : shutdown) {
      stopped = stopped.compose(v -> Future.all(step.stream().map(this::stop).toList()).mapEmpty());
    }
    return stopped;
  }

  /** A stage that fails to stop is logged, and shutdown goes on: the stages after it must stop all the same. */
  private Future<Void> stop(Stage stage) {
    return Future.<Void>succeededFuture().compose(v -> stage.stop()).otherwise(failure -> {
      LOG.warn("stopping the {} failed: {}", stage.name(), failure.getMessage());
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

  /** A stage whose start deploys verticles and whose stop undeploys the ones it did, all at once. */
  private Stage deploying(String name, Function<Deployments, Future<Void>> start) {
    Deployments deployed = new Deployments(vertx);
    return new Stage(name, () -> start.apply(deployed), deployed::undeploy);
  }

  private Future<Void> delay(long millis) {
    Promise<Void> elapsed = Promise.promise();
    vertx.setTimer(millis, id -> elapsed.complete());
    return elapsed.future();
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

  private Future<Void> closeAuthentication() {
    vertx.cancelTimer(rateLimiterCleanup);
    if (authentication != null) {
      authentication.close();
    }
    return Future.succeededFuture();
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

  private Future<Void> startNats() {
    if (!config.nats().embedded()) {
      return Future.succeededFuture();
    }
    return EmbeddedNatsServer.start(vertx, config.embeddedNats(), config.dataDir(), config.natsSecurity())
        .map(server -> {
          embeddedNats = server;
          return null;
        });
  }

  private Future<Void> stopNats() {
    EmbeddedNatsServer server = embeddedNats;
    embeddedNats = null;
    return server == null ? Future.succeededFuture() : server.stop();
  }

  /**
   * Connects and provisions the JetStream assets, trying again while NATS is not there yet or its cluster has no
   * JetStream leader yet (a whole stack started at once, a node restarting), for up to
   * {@code nats.startupTimeoutSeconds}. Refused credentials, TLS failures and assets the servers refuse are not
   * retried: waiting does not mend them.
   */
  private Future<Void> connectAndProvision() {
    String url = embeddedNats == null ? config.nats().url() : embeddedNats.url();
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

  /** Drains the connection: what the stages before published is flushed, and nothing more is pulled. */
  private Future<Void> closeBridge() {
    NatsBridge closing = bridge;
    bridge = null;
    return closing == null ? Future.succeededFuture() : closing.close();
  }

  private Future<Void> deployGateway(Deployments deployed) {
    if (gateway == null) {
      return Future.succeededFuture();
    }
    return deployed.deploy(gateway).onSuccess(v -> LOG.info("Payment gateway simulator on port {}", gateway.port()));
  }

  /** One after another, in the order of the roles: orders' event handlers before the index feed it reads. */
  private Future<Void> deployContexts(Deployments deployed) {
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
    Future<Void> deployedInOrder = Future.succeededFuture();
    for (VerticleBase context : contexts) {
      deployedInOrder = deployedInOrder.compose(v -> deployed.deploy(context));
    }
    return deployedInOrder;
  }

  /**
   * Closes admission at once, then waits at least {@code http.shutdownDelayMs} (the first time, and only when
   * there is an API to turn clients away) and for the requests admitted before to finish.
   */
  private Future<Void> closeAdmission() {
    boolean first = !admission.closed();
    admission.close();
    Duration shutdownDelay = config.http().shutdownDelay();
    Future<Void> delayed = first && !apiServers.isEmpty() && !shutdownDelay.isZero()
        ? delay(shutdownDelay.toMillis()) : Future.succeededFuture();
    return delayed.compose(v -> admission.drained(vertx, Duration.ofSeconds(REQUEST_GRACE_SECONDS)));
  }

  /** The operator's console sits beside the orders API, whose order views it shows. */
  private Future<Void> deployConsole(Deployments deployed) {
    if (!config.runs(Role.ORDERS)) {
      return Future.succeededFuture();
    }
    console = new Console(vertx, bridge.eventLog(), DeadLetterDesk.on(bridge), TopologyFigures.on(bridge),
        observability.registry(), authentication, rateLimiter, admission);
    return deployed.deploy(console.flow());
  }

  private Future<Void> deployManagement(Deployments deployed) {
    if (management == null) {
      return Future.succeededFuture();
    }
    return deployed.deploy(management).onSuccess(v -> LOG.info("Management listener (/metrics, /health) on {}:{}",
        config.management().host(), management.port()));
  }

  private HealthChecks readinessChecks() {
    return HealthChecks.create(vertx)
        .register("nats", promise -> promise.complete(bridge != null && bridge.connected() ? Status.OK() : Status.KO()))
        .register("topology", promise -> promise.complete(bridge == null ? Status.KO()
            : bridge.missingTopology().isEmpty() ? Status.OK()
            : Status.KO(new JsonObject().put("missing", new JsonArray(bridge.missingTopology())))))
        .register("admitting", promise -> promise.complete(admission.closed() ? Status.KO() : Status.OK()));
  }

  private Future<Void> deployApi(Deployments deployed) {
    List<Routes> routes = new ArrayList<>();
    if (config.runs(Role.ORDERS)) {
      routes.add(new OrdersApi(config.http(), config.catalogue(), bridge, admission, observability.registry(),
          orderIndex));
    }
    if (config.runs(Role.INVENTORY)) {
      routes.add(new InventoryApi(config.catalogue(), bridge, admission));
    }
    if (console != null) {
      routes.add(console);
    }
    ApiSecurity security = apiSecurity();
    return deployed.deploy(() -> {
      ApiServer server = new ApiServer(config.http(), config.limits(), security, routes, liveness, readiness,
          PrometheusScrapingHandler.create(observability.registry()), admission, apiListener);
      apiServers.add(server);
      return server;
    }, config.http().instances());
  }

  /**
   * The API stops listening (a new connection is refused), each connection still open brings its next request
   * (answered 503 and closed) or runs out of time, and the servers close what is left (see {@link ApiListener}).
   */
  private Future<Void> closeApi(Deployments deployed) {
    return apiListener.stopAccepting()
        .compose(v -> apiListener.connectionsClosed(vertx, Duration.ofMillis(CONNECTION_GRACE_MILLIS)))
        .compose(v -> Future.all(apiServers.stream().map(ApiServer::closeListener).toList()).<Void>mapEmpty())
        .otherwise(e -> {
          LOG.warn("closing the HTTP listeners failed: {}", e.getMessage());
          return null;
        })
        .compose(v -> deployed.undeploy());
  }
}
