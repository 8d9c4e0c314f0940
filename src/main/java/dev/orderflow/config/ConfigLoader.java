package dev.orderflow.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;

/** Loads and validates {@link OrderflowConfig} from its layers (see the package documentation). */
public final class ConfigLoader {

  /** The defaults file; read from the working directory when present there, else from inside the jar. */
  public static final String DEFAULTS = "conf/orderflow.json";

  /** Environment variables and the setting each one overrides. */
  public static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("ORDERFLOW_ROLES", "roles"),
      Map.entry("ORDERFLOW_DATA_DIR", "dataDir"),
      Map.entry("ORDERFLOW_TRANSPORT", "transport"),
      Map.entry("ORDERFLOW_CATALOGUE", "catalogue"),
      Map.entry("ORDERFLOW_HTTP_PORT", "http.port"),
      Map.entry("ORDERFLOW_NATS_URL", "nats.url"),
      Map.entry("ORDERFLOW_NATS_SERVER", "embeddedNats.executable"),
      Map.entry("ORDERFLOW_GATEWAY_URL", "payments.gatewayUrl"),
      Map.entry("ORDERFLOW_GATEWAY_PORT", "gateway.port"),
      // Security settings that are not secrets; secrets are read by Secret, from their own variables or files.
      Map.entry("ORDERFLOW_AUTH_MODE", "auth.mode"),
      Map.entry("ORDERFLOW_AUTH_ISSUER", "auth.issuer"),
      Map.entry("ORDERFLOW_AUTH_AUDIENCE", "auth.audience"),
      Map.entry("ORDERFLOW_AUTH_PUBLIC_KEY_FILE", "auth.publicKeyFile"),
      Map.entry("ORDERFLOW_AUTH_JWKS_URL", "auth.jwksUrl"),
      Map.entry("ORDERFLOW_NATS_USER", "nats.auth.user"),
      Map.entry("ORDERFLOW_NATS_CREDS", "nats.auth.credsFile"),
      Map.entry("ORDERFLOW_NATS_TLS_CA", "nats.tls.caFile"),
      Map.entry("ORDERFLOW_NATS_TLS_CERT", "nats.tls.certFile"),
      Map.entry("ORDERFLOW_NATS_TLS_KEY", "nats.tls.keyFile"),
      Map.entry("ORDERFLOW_MANAGEMENT_PORT", "management.port"));

  private ConfigLoader() {}

  /**
   * Loads the configuration.
   *
   * @param overrides settings that win over every other layer, as a JSON object shaped like the defaults file
   *     (nested objects are merged, so {@code {"http": {"port": 0}}} changes only the port)
   */
  public static Future<OrderflowConfig> load(Vertx vertx, JsonObject overrides) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setScanPeriod(0)
        .addStore(file(DEFAULTS, false));
    String extra = System.getenv("ORDERFLOW_CONFIG");
    if (extra != null && !extra.isBlank()) {
      options.addStore(file(extra, false));
    }
    options.addStore(new ConfigStoreOptions()
        .setType("env")
        .setConfig(new JsonObject()
            .put("raw-data", true)
            .put("keys", new JsonArray(ENVIRONMENT.keySet().stream().toList()))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .map(layers -> applyEnvironment(layers).mergeIn(overrides, true))
        .compose(json -> readCatalogue(vertx, json.getString("catalogue", ""))
            .map(catalogue -> from(json, catalogue)));
  }

  /**
   * Loads the configuration before the application's Vert.x exists (it needs the tracing settings), on a
   * short-lived Vert.x of its own. Blocks; call it from {@code main} or a test, not from an event loop.
   */
  public static OrderflowConfig loadNow(JsonObject overrides) {
    Vertx bootstrap = Vertx.vertx();
    try {
      return load(bootstrap, overrides).await();
    } finally {
      bootstrap.close().await();
    }
  }

  /** Builds the configuration from one merged JSON object; throws {@link ConfigException} when invalid. */
  static OrderflowConfig from(JsonObject json, Catalogue catalogue) {
    return from(json, catalogue, System.getenv());
  }

  /** As {@link #from(JsonObject, Catalogue)}, with the environment that secrets are read from. */
  static OrderflowConfig from(JsonObject json, Catalogue catalogue, Map<String, String> environment) {
    Settings s = Settings.of(json);
    GatewayConfig gateway = GatewayConfig.from(s.section("gateway"), environment);
    return new OrderflowConfig(
        Role.parseList(s.string("roles")),
        Path.of(s.string("dataDir")),
        NetworkTransport.parse("transport", s.string("transport")),
        HttpConfig.from(s.section("http")),
        NatsConfig.from(s.section("nats")),
        EmbeddedNatsConfig.from(s.section("embeddedNats")),
        ConsumerConfig.from(s.section("consumers")),
        PaymentsConfig.from(s.section("payments"), gateway.faultsToken()),
        gateway,
        ObservabilityConfig.from(s.section("observability")),
        catalogue,
        AuthConfig.from(s.section("auth"), environment),
        LimitsConfig.from(s.section("limits")),
        ManagementConfig.from(s.section("management")),
        NatsSecurityConfig.from(s.section("nats"), environment));
  }

  private static JsonObject applyEnvironment(JsonObject layers) {
    JsonObject merged = layers.copy();
    ENVIRONMENT.forEach((variable, setting) -> {
      Object value = merged.remove(variable);
      if (value != null) {
        String[] path = setting.split("\\.");
        JsonObject section = merged;
        for (int i = 0; i < path.length - 1; i++) {
          section = section.getJsonObject(path[i]);
        }
        section.put(path[path.length - 1], value.toString());
      }
    });
    return merged;
  }

  private static Future<Catalogue> readCatalogue(Vertx vertx, String path) {
    if (path.isBlank()) {
      return Future.failedFuture(new ConfigException("catalogue must name the catalogue file"));
    }
    return vertx.fileSystem().readFile(path)
        .recover(e -> Future.failedFuture(
            new ConfigException("catalogue: cannot read " + path + ": " + e.getMessage())))
        .map(buffer -> {
          try {
            return Catalogue.fromJson(buffer.toJsonObject(), path);
          } catch (io.vertx.core.json.DecodeException e) {
            throw new ConfigException(path + " is not valid JSON: " + e.getMessage());
          }
        });
  }

  private static ConfigStoreOptions file(String path, boolean optional) {
    return new ConfigStoreOptions()
        .setType("file")
        .setOptional(optional)
        .setConfig(new JsonObject().put("path", path));
  }
}
