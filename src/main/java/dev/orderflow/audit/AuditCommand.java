package dev.orderflow.audit;

import dev.orderflow.observability.Redaction;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line of {@code bin/audit}: options in, table out, exit status 0 (all held), 1 (violations), 2. */
final class AuditCommand {

  static final String USAGE = """
      Usage: bin/audit (--ids FILE | --ids-from-stream --nats URL) [options]

        --ids FILE          ids of the accepted orders, one per line
        --uncertain FILE    ids whose answer was lost or a late 503: audited if the order exists
        --cancelled FILE    ids whose POST /orders/{id}/cancel was answered 202: each must end CANCELLED on request
        --ids-from-stream   every order whose OrderPlaced is in the ORDERS stream instead, its outcome read
                            from the streams too (a few passes, not a request per order); needs --nats
        --api-sample N      with --ids-from-stream: orders whose API view must agree with the streams,
                            spread evenly over the run (default 200)
        --api URLS          Orderflow API base URLs, comma-separated; a port range is allowed
                            (http://127.0.0.1:8080-8082) (default http://127.0.0.1:8080)
        --inventory URLS    where GET /inventory is served, when the inventory role runs apart from the
                            orders role (compose: http://127.0.0.1:8082) (default: the --api URLs)
        --gateway URL       gateway simulator base URL (default http://127.0.0.1:8090)
        --nats URL          NATS servers to read consumer state from (jnats)
        --monitor URL       or a nats-server monitoring base URL (/jsz), e.g. http://127.0.0.1:8222
        --catalogue FILE    initial stock from a catalogue (default conf/catalogue.json, else the jar's)
        --initial SKU=N,..  initial stock given directly (wins over --catalogue)
        --wait SECONDS      how long orders and consumers may take to drain (default 120)
        --concurrency N     order views fetched at once over the API (default 64)
        --token-file FILE   an operator's bearer token for the API (the audit reads every order and the
                            inventory); else the environment variable ORDERFLOW_AUDIT_TOKEN, else
                            data/dev-tokens/operator when it exists (a development-mode run from this folder)
        --gateway-token-file FILE  the gateway simulator's token, when it has one; else the service's variable
                            ORDERFLOW_GATEWAY_FAULTS_TOKEN
      """;
  /** Options without a value. */
  private static final List<String> FLAGS = List.of("--ids-from-stream");
  private static final Pattern PORT_RANGE = Pattern.compile("(.*):(\\d+)-(\\d+)(/?)");

  private AuditCommand() {}

  static int run(String[] args) {
    AuditOptions options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println(Redaction.urls(e.getMessage()) + "\n\n" + USAGE);
      return 2;
    }
    try {
      AuditReport report = Audit.run(options);
      System.out.print(report.table());
      return report.ok() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("audit failed: " + Redaction.urls(e.toString()));
      return 2;
    }
  }

  static AuditOptions parse(String[] args) throws IOException {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (FLAGS.contains(args[i])) {
        given.put(args[i].substring(2), "true");
        continue;
      }
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Unexpected argument: " + args[i]);
      }
      given.put(args[i].substring(2), args[++i]);
    }
    List<String> known = List.of("ids", "uncertain", "cancelled", "ids-from-stream", "api-sample", "api", "inventory",
        "gateway", "nats", "monitor", "catalogue", "initial", "wait", "concurrency", "token-file",
        "gateway-token-file");
    for (String name : given.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("Unknown option --" + name);
      }
    }
    boolean fromStream = given.containsKey("ids-from-stream");
    if (fromStream == given.containsKey("ids")) {
      throw new IllegalArgumentException("give either --ids FILE or --ids-from-stream");
    }
    if (fromStream && (!given.containsKey("nats") || given.containsKey("uncertain"))) {
      throw new IllegalArgumentException(
          "--ids-from-stream reads the streams: it needs --nats, and takes no --uncertain");
    }
    return new AuditOptions(
        apiUrls(given.getOrDefault("api", "http://127.0.0.1:8080")),
        given.getOrDefault("gateway", "http://127.0.0.1:8090"),
        fromStream ? List.of() : AuditOptions.readIds(Path.of(given.get("ids"))),
        given.containsKey("uncertain") ? AuditOptions.readIds(Path.of(given.get("uncertain"))) : List.of(),
        given.containsKey("initial") ? initial(given.get("initial")) : catalogue(given.get("catalogue")),
        given.get("nats"),
        given.get("monitor"),
        Duration.ofSeconds(Long.parseLong(given.getOrDefault("wait", "120"))),
        Integer.parseInt(given.getOrDefault("concurrency", "" + AuditOptions.DEFAULT_CONCURRENCY)),
        token(given.get("token-file"), System.getenv("ORDERFLOW_AUDIT_TOKEN")),
        fromStream,
        Integer.parseInt(given.getOrDefault("api-sample", "" + AuditOptions.DEFAULT_API_SAMPLE)),
        given.containsKey("inventory") ? apiUrls(given.get("inventory")) : List.of(),
        given.containsKey("cancelled") ? AuditOptions.readIds(Path.of(given.get("cancelled"))) : List.of(),
        gatewayToken(given.get("gateway-token-file"), System.getenv("ORDERFLOW_GATEWAY_FAULTS_TOKEN")));
  }

  /** The gateway simulator's token: from {@code file}, else {@code fromEnvironment} (the service's variable). */
  static String gatewayToken(String file, String fromEnvironment) throws IOException {
    if (file != null) {
      if (!Files.isReadable(Path.of(file))) {
        throw new IllegalArgumentException("--gateway-token-file " + file + " cannot be read");
      }
      return Files.readString(Path.of(file)).strip();
    }
    return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
  }

  /** The bearer token: from {@code file}, else {@code fromEnvironment}, else the development mode's operator token. */
  static String token(String file, String fromEnvironment) throws IOException {
    if (file != null) {
      if (!Files.isReadable(Path.of(file))) {
        throw new IllegalArgumentException("--token-file " + file + " cannot be read");
      }
      return Files.readString(Path.of(file)).trim();
    }
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.trim();
    }
    return Files.isReadable(AuditOptions.DEV_OPERATOR_TOKEN)
        ? Files.readString(AuditOptions.DEV_OPERATOR_TOKEN).trim() : null;
  }

  /** Expands {@code a,b} and {@code http://host:8080-8082} into single base URLs. */
  static List<String> apiUrls(String spec) {
    List<String> urls = new ArrayList<>();
    for (String part : spec.split(",")) {
      Matcher range = PORT_RANGE.matcher(part.trim());
      if (range.matches()) {
        for (int port = Integer.parseInt(range.group(2)); port <= Integer.parseInt(range.group(3)); port++) {
          urls.add(range.group(1) + ":" + port);
        }
      } else if (!part.isBlank()) {
        urls.add(part.trim().replaceAll("/$", ""));
      }
    }
    return urls;
  }

  static Map<String, Long> initial(String spec) {
    Map<String, Long> stock = new HashMap<>();
    for (String pair : spec.split(",")) {
      String[] skuAndUnits = pair.trim().split("=", 2);
      if (skuAndUnits.length != 2) {
        throw new IllegalArgumentException("--initial takes SKU=N pairs, not '" + pair + "'");
      }
      stock.put(skuAndUnits[0], Long.parseLong(skuAndUnits[1]));
    }
    return stock;
  }

  /** The initial stock of a catalogue file ({@code items[].sku, initialStock}). */
  static Map<String, Long> catalogue(String file) throws IOException {
    String text;
    Path path = Path.of(file == null ? "conf/catalogue.json" : file);
    if (Files.exists(path)) {
      text = Files.readString(path);
    } else if (file == null) {
      try (InputStream in = AuditCommand.class.getResourceAsStream("/conf/catalogue.json")) {
        if (in == null) {
          throw new IllegalArgumentException("no conf/catalogue.json here nor in the jar; give --catalogue");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } else {
      throw new IllegalArgumentException("--catalogue " + file + " does not exist");
    }
    Map<String, Long> stock = new HashMap<>();
    for (Object item : new JsonObject(text).getJsonArray("items")) {
      JsonObject product = (JsonObject) item;
      stock.put(product.getString("sku"), product.getLong("initialStock"));
    }
    return stock;
  }
}
