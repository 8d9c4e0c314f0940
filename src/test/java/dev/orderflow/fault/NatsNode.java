package dev.orderflow.fault;

import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.NatsTestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A nats-server process with JetStream on free loopback ports and a store of its own, alone or as one node of a
 * cluster; killed with SIGKILL and started again on the same ports and store.
 */
final class NatsNode implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int port;
  final int monitorPort;
  final int clusterPort;
  private final Path config;
  private final ManagedProcess process;

  private NatsNode(String name, int port, int monitorPort, int clusterPort, Path config, Path logDir) {
    this.name = name;
    this.port = port;
    this.monitorPort = monitorPort;
    this.clusterPort = clusterPort;
    this.config = config;
    this.process = new ManagedProcess(name, List.of(NatsTestServer.executable().toString(), "-c", config.toString()),
        Map.of(), logDir);
  }

  /** A single server. */
  static NatsNode single(String name, Path dir, Path logDir) throws IOException {
    return create(name, dir, logDir, 0, List.of());
  }

  /** Three nodes routed to each other on loopback (JetStream clustered), not yet started. */
  static List<NatsNode> cluster(Path dir, Path logDir) throws IOException {
    int[] clusterPorts = {NatsTestServer.freePort(), NatsTestServer.freePort(), NatsTestServer.freePort()};
    List<String> routes = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "nats-route://127.0.0.1:" + p).toList();
    return List.of(
        create("n1", dir, logDir, clusterPorts[0], routes),
        create("n2", dir, logDir, clusterPorts[1], routes),
        create("n3", dir, logDir, clusterPorts[2], routes));
  }

  private static NatsNode create(String name, Path dir, Path logDir, int clusterPort, List<String> routes)
      throws IOException {
    int port = NatsTestServer.freePort();
    int monitorPort = NatsTestServer.freePort();
    Path store = Files.createDirectories(dir.resolve(name + "-store"));
    StringBuilder conf = new StringBuilder()
        .append("server_name: ").append(name).append('\n')
        .append("host: 127.0.0.1\nport: ").append(port).append('\n')
        .append("http: 127.0.0.1:").append(monitorPort).append('\n')
        .append("jetstream { store_dir: \"").append(store).append("\" }\n");
    if (clusterPort > 0) {
      conf.append("cluster {\n  name: orderflow\n  listen: 127.0.0.1:").append(clusterPort).append('\n')
          .append("  routes: [").append(String.join(", ", routes)).append("]\n}\n");
    }
    Path config = dir.resolve(name + ".conf");
    Files.writeString(config, conf);
    return new NatsNode(name, port, monitorPort, clusterPort, config, logDir);
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  String monitorUrl() {
    return "http://127.0.0.1:" + monitorPort;
  }

  /** Starts the process and waits until its JetStream answers its health check. */
  NatsNode start() throws IOException {
    process.start();
    awaitHealthy();
    return this;
  }

  void awaitHealthy() {
    Eventually.eventually(Duration.ofSeconds(30), () -> status("/healthz?js-enabled-only=true"), s -> s == 200);
  }

  void kill9() throws InterruptedException {
    process.kill9();
  }

  boolean alive() {
    return process.alive();
  }

  /** The body of a monitoring endpoint, e.g. {@code /jsz?streams=true}. */
  String monitor(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(monitorUrl() + path)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private int status(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(monitorUrl() + path)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
