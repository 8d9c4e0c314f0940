package dev.orderflow.fault;

import dev.orderflow.audit.Audit;
import dev.orderflow.audit.AuditOptions;
import dev.orderflow.audit.AuditReport;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.inventory.stored.StockLevel;
import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestTokens;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfoOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The processes of one scenario: NATS, the gateway simulator (never killed: its charge log is the audit's
 * witness), workers; all stopped at the end, last started first. Settings are shortened (ack wait, backoff,
 * breaker) so that recoveries take seconds.
 */
final class FaultLab implements AutoCloseable {

  /** {@code -Dfault.long=true}: more kills, longer loads. */
  static final boolean LONG = Boolean.getBoolean("fault.long");
  static final String WORKER_ROLES = "orders,inventory,payments,shipping";

  final Path dir;
  final Path logs;
  /**
   * The gateway simulator's token, given to every process of the scenario: the simulator then needs it for every
   * request, which payments, the audit and {@link #gatewayGet} send, as a deployment with a token would.
   */
  private final String gatewayToken = "fault-suite-" + java.util.UUID.randomUUID();
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private int gatewayPort;
  private String natsUrl;
  /** The embedded default's data folder, whose nats-server requires the token it makes at each start. */
  private Path embeddedData;
  private int replicas = 1;

  FaultLab(String scenario) throws IOException {
    this.dir = Files.createTempDirectory("orderflow-fault-" + scenario + "-");
    this.logs = Path.of("target", "fault-logs", scenario).toAbsolutePath();
    Files.createDirectories(logs);
    this.gatewayPort = NatsTestServer.freePort();
  }

  /** One nats-server, started. */
  NatsNode nats() throws IOException {
    NatsNode node = own(NatsNode.single("nats", dir, logs)).start();
    natsUrl = node.url();
    return node;
  }

  /** Three clustered nats-servers, started; streams and buckets at 3 replicas from now on. */
  List<NatsNode> natsCluster() throws IOException {
    List<NatsNode> nodes = NatsNode.cluster(dir, logs);
    nodes.forEach(this::own);
    for (NatsNode node : nodes) {
      new Thread(() -> {
        try {
          node.start();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).start();
    }
    nodes.forEach(NatsNode::awaitHealthy);
    // A clustered JetStream answers its API only once the nodes have elected a meta leader, which can take longer
    // than a client's request timeout after they report JetStream enabled: wait for it before starting services.
    Eventually.eventually(Duration.ofSeconds(30),
        () -> new JsonObject(nodes.get(0).monitor("/jsz")).getJsonObject("meta_cluster", new JsonObject())
            .getString("leader", ""),
        leader -> !leader.isEmpty());
    natsUrl = String.join(",", nodes.stream().map(NatsNode::url).toList());
    replicas = 3;
    return nodes;
  }

  /** The gateway simulator alone in its process (it still connects to NATS, as every Orderflow process does). */
  ServiceProcess gateway() throws IOException {
    JsonObject config = settings("gateway").put("roles", "gateway");
    return own(new ServiceProcess("gateway", config, dir, logs, environment())).startReady();
  }

  /** A worker running every role but the gateway, not yet started. */
  ServiceProcess worker(String name) throws IOException {
    return worker(name, new JsonObject());
  }

  /** A worker with {@code overrides} merged into its settings (deeply), not yet started. */
  ServiceProcess worker(String name, JsonObject overrides) throws IOException {
    return worker(name, overrides, ServiceProcess.SUITE_JVM);
  }

  /** As {@link #worker(String, JsonObject)}, in a JVM with the options {@code jvm}. */
  ServiceProcess worker(String name, JsonObject overrides, List<String> jvm) throws IOException {
    JsonObject config = settings(name).put("roles", WORKER_ROLES).mergeIn(overrides, true);
    return own(new ServiceProcess(name, config, dir, logs, environment(), jvm));
  }

  /**
   * The embedded default on {@code dataDir}: its own nats-server, every role but the gateway (which
   * {@link #gateway} starts apart, after it). Not yet started.
   */
  ServiceProcess embeddedDefault(String name, Path dataDir, int natsPort) throws IOException {
    // The gateway runs apart even here: its charge log must survive the kill, as the audit's witness.
    JsonObject config = settings(name)
        .put("roles", WORKER_ROLES)
        .put("dataDir", dataDir.toString())
        .put("embeddedNats", new JsonObject().put("port", natsPort)
            .put("executable", NatsTestServer.executable().toString()));
    config.getJsonObject("nats").put("url", "");
    natsUrl = "nats://127.0.0.1:" + natsPort;
    embeddedData = dataDir;
    return own(new ServiceProcess(name, config, dir, logs, environment()));
  }

  /**
   * The NATS servers of the scenario; the embedded default's with the token of its latest start in the URL, which
   * the tools and jnats present (a URL's user info wins over configured credentials).
   */
  String natsUrl() throws IOException {
    if (embeddedData == null) {
      return natsUrl;
    }
    String token = Files.readString(embeddedData.resolve("nats").resolve("token")).strip();
    return natsUrl.replace("nats://", "nats://" + token + "@");
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  private Map<String, String> environment() {
    return Map.of("ORDERFLOW_GATEWAY_FAULTS_TOKEN", gatewayToken);
  }

  /** {@code GET path} of the gateway simulator, with its token; the body, which must come with a 200. */
  String gatewayGet(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(gatewayUrl() + path)).header("Authorization", "Bearer " + gatewayToken).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Changes the gateway simulator's faults ({@code PUT /v1/faults}). */
  void gatewayFaults(JsonObject faults) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(gatewayUrl() + "/v1/faults")).PUT(HttpRequest.BodyPublishers.ofString(faults.encode()))
        .header("Authorization", "Bearer " + gatewayToken).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("PUT /v1/faults answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** Audits the run: waits up to {@code drain} for orders and consumers to settle. */
  AuditReport audit(LoadDriver load, List<ServiceProcess> apis, Duration drain) throws Exception {
    return audit(load.accepted(), load.cancelled(), apis, drain);
  }

  /** The audit of the orders {@code accepted}. */
  AuditReport audit(List<String> accepted, List<ServiceProcess> apis, Duration drain) throws Exception {
    return audit(accepted, List.of(), apis, drain);
  }

  /** The audit of the orders {@code accepted}, of which those {@code cancelled} (answered 202) must end cancelled. */
  AuditReport audit(List<String> accepted, List<String> cancelled, List<ServiceProcess> apis, Duration drain)
      throws Exception {
    AuditReport report = Audit.run(new AuditOptions(apis.stream().map(ServiceProcess::apiUrl).toList(),
        gatewayUrl(), List.copyOf(accepted), List.of(), catalogueStock(), natsUrl(), null, drain, 32,
        TestTokens.operator(), false, 0, List.of(), List.copyOf(cancelled), gatewayToken));
    System.out.println(report.table());
    if (!report.ok()) {
      dumpStock();
    }
    return report;
  }

  /**
   * The last message on {@code subject} as the stream's leader has it (JetStream's message get): jnats reads with a
   * direct get, which a follower still catching up may answer.
   */
  private static MessageInfo leaderLast(Connection nats, String stream, String subject) throws Exception {
    io.nats.client.Message reply = nats.request("$JS.API.STREAM.MSG.GET." + stream,
        ("{\"last_by_subj\":\"" + subject + "\"}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
    return new MessageInfo(reply, stream, false).throwOnHasError();
  }

  /**
   * Writes every SKU's stored stock value, with the per-order markers it still holds, and the stored events of each
   * order it names, to {@code stock-at-audit.txt} beside the scenario's logs: what a failed stock check needs to be
   * read after the servers are gone.
   */
  private void dumpStock() {
    Path file = logs.resolve("stock-at-audit.txt");
    StringBuilder out = new StringBuilder();
    try (Connection nats = Nats.connect(new Options.Builder().server(natsUrl()).connectionTimeout(Duration.ofSeconds(5))
        .maxReconnects(0).build())) {
      KeyValue stock = nats.keyValue("stock");
      java.util.Set<String> orders = new java.util.TreeSet<>();
      for (String sku : stock.keys()) {
        MessageInfo entry = leaderLast(nats, "KV_stock", "$KV.stock." + sku);
        byte[] value = entry.getData() == null ? new byte[0] : entry.getData();
        out.append("== ").append(sku).append(" revision ").append(entry.getSeq()).append('\n');
        if (value.length > 0 && value[0] == '{') {
          out.append(new String(value, StandardCharsets.UTF_8)).append('\n');
        } else {
          StockLevel level = StockLevel.parseFrom(value);
          out.append(level);
          orders.addAll(level.getHoldsMap().keySet());
          orders.addAll(level.getReturnsMap().keySet());
        }
      }
      JetStreamManagement streams = nats.jetStreamManagement();
      for (String orderId : orders) {
        out.append("== events of ").append(orderId).append('\n');
        for (String stream : List.of("ORDERS", "INVENTORY", "PAYMENTS", "SHIPPING")) {
          for (String subject : streams.getStreamInfo(stream, StreamInfoOptions.filterSubjects(
              stream.toLowerCase(java.util.Locale.ROOT) + ".*." + orderId)).getStreamState().getSubjects()
              .stream().map(io.nats.client.api.Subject::getName).toList()) {
            MessageInfo stored = leaderLast(nats, stream, subject);
            out.append(stored.getSeq()).append(' ').append(subject).append(' ').append(stored.getTime());
            // The holds and releases each event stands for, to hold against the stock's markers.
            if (subject.startsWith("inventory.stock-reserved.")) {
              out.append(" holds ").append(StockReserved.parseFrom(stored.getData()).getHoldsMap());
            } else if (subject.startsWith("inventory.stock-released.")) {
              out.append(" returns ").append(StockReleased.parseFrom(stored.getData()).getReturnsMap());
            }
            out.append('\n');
          }
        }
      }
    } catch (Exception e) {
      out.append("could not read the stock: ").append(e).append('\n');
    }
    try {
      Files.writeString(file, out);
      System.out.println("stock and the orders it names: " + file);
    } catch (IOException e) {
      System.out.println("could not write " + file + ": " + e);
    }
  }

  private static Map<String, Long> catalogueStock() throws IOException {
    Map<String, Long> stock = new java.util.HashMap<>();
    for (Object item : new JsonObject(Files.readString(Path.of("conf", "catalogue.json"))).getJsonArray("items")) {
      JsonObject product = (JsonObject) item;
      stock.put(product.getString("sku"), product.getLong("initialStock"));
    }
    return stock;
  }

  private JsonObject settings(String name) throws IOException {
    return new JsonObject()
        .put("dataDir", dir.resolve(name + "-data").toString())
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", NatsTestServer.freePort())
            .put("instances", 1).put("shutdownDelayMs", 300))
        .put("nats", new JsonObject().put("url", natsUrl == null ? "" : natsUrl).put("replicas", replicas)
            .put("connectionName", "orderflow-" + name))
        .put("consumers", new JsonObject()
            .put("ackWaitMs", 5000)
            .put("backoffInitialMs", 200)
            .put("backoffMaxMs", 5000))
        .put("payments", new JsonObject()
            .put("gatewayUrl", gatewayUrl())
            .put("requestTimeoutMs", 1000)
            .put("breaker", new JsonObject().put("maxFailures", 5).put("resetTimeoutMs", 1000)))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", gatewayPort));
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.push(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    if (first != null) {
      throw first;
    }
  }
}
