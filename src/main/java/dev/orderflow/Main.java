package dev.orderflow;

import dev.orderflow.config.ConfigException;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.config.OrderflowConfig;
import dev.orderflow.observability.Observability;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code java -jar orderflow.jar [--roles orders,inventory,...]}. Runs until SIGTERM or Ctrl-C,
 * then shuts down gracefully.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final long SHUTDOWN_TIMEOUT_SECONDS = 60;
  private static final String USAGE = """
      Usage: java -jar orderflow.jar [--roles ROLES]

        --roles ROLES   comma-separated subset of orders,inventory,payments,shipping,gateway (default: all);
                        same as ORDERFLOW_ROLES

      Configuration: conf/orderflow.json, overridden by the file in ORDERFLOW_CONFIG and by ORDERFLOW_NATS_URL,
      ORDERFLOW_HTTP_PORT, ORDERFLOW_GATEWAY_URL, ORDERFLOW_GATEWAY_PORT, ORDERFLOW_ROLES, ORDERFLOW_DATA_DIR,
      ORDERFLOW_CATALOGUE, ORDERFLOW_NATS_SERVER. Without ORDERFLOW_NATS_URL, a local nats-server is started.
      Security (API tokens, NATS credentials and TLS): ORDERFLOW_AUTH_* and ORDERFLOW_NATS_*; see the README.
      """;

  private Main() {}

  public static void main(String[] args) {
    JsonObject overrides;
    try {
      overrides = commandLine(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n\n" + USAGE);
      System.exit(2);
      return;
    }
    OrderflowConfig config;
    try {
      config = ConfigLoader.loadNow(overrides);
    } catch (ConfigException e) {
      LOG.error("Cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    Observability observability = Observability.create(config.observability());
    Vertx vertx = observability.vertx(config.transport());
    Orderflow.start(vertx, config, observability)
        .onSuccess(app -> stopOnShutdown(vertx, observability, app))
        .onFailure(failure -> {
          if (failure instanceof ConfigException) {
            LOG.error("Cannot start: {}", failure.getMessage());
          } else {
            LOG.error("Cannot start", failure);
          }
          vertx.close().onComplete(v -> System.exit(1));
        });
  }

  private static JsonObject commandLine(String[] args) {
    JsonObject overrides = new JsonObject();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--roles" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--roles needs a value");
          }
          overrides.put("roles", args[++i]);
        }
        case "--help", "-h" -> {
          System.out.println(USAGE);
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    return overrides;
  }

  private static void stopOnShutdown(Vertx vertx, Observability observability, Orderflow app) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      Future<Void> stopped = app.stop().eventually(vertx::close);
      try {
        stopped.toCompletionStage().toCompletableFuture().get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        observability.close();
      } catch (Exception e) {
        LOG.warn("Shutdown did not complete cleanly: {}", e.toString());
      }
    }, "orderflow-shutdown"));
  }
}
