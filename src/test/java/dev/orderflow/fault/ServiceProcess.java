package dev.orderflow.fault;

import dev.orderflow.testing.Eventually;
import dev.orderflow.testing.TestTokens;
import io.vertx.core.json.JsonObject;
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

/** {@code java -jar target/orderflow.jar} in a process of its own, with its configuration in a file. */
final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  final String name;
  final int httpPort;
  private final ManagedProcess process;

  /** The suite's JVM: small, and quick to start (no C2 compiler), as several run at once on a few cores. */
  static final List<String> SUITE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  ServiceProcess(String name, JsonObject config, Path dir, Path logDir, Map<String, String> environment)
      throws IOException {
    this(name, config, dir, logDir, environment, SUITE_JVM);
  }

  /** As above, with the JVM options {@code jvm} instead of {@link #SUITE_JVM}. */
  ServiceProcess(String name, JsonObject config, Path dir, Path logDir, Map<String, String> environment,
      List<String> jvm) throws IOException {
    this.name = name;
    this.httpPort = config.getJsonObject("http").getInteger("port");
    Path file = dir.resolve(name + ".json");
    Files.writeString(file, config.encodePrettily());
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.put("ORDERFLOW_CONFIG", file.toString());
    env.put("ORDERFLOW_LOG_FORMAT", "text");
    // With a NATS URL a worker runs in production mode, which needs API keys: the tests' HMAC secret.
    env.putIfAbsent(TestTokens.ENVIRONMENT, TestTokens.SECRET);
    String jar = System.getProperty("orderflow.jar", "target/orderflow.jar");
    List<String> command = new java.util.ArrayList<>();
    command.add(javaExecutable());
    command.addAll(jvm);
    command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
    this.process = new ManagedProcess(name, command, env, logDir);
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  String apiUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  ServiceProcess start() throws IOException {
    process.start();
    return this;
  }

  /** Starts and waits until {@code /health/ready} answers 200. */
  ServiceProcess startReady() throws IOException {
    start();
    awaitReady();
    return this;
  }

  void awaitReady() {
    Eventually.eventually(READY_TIMEOUT, () -> {
      if (!process.alive()) {
        throw new AssertionError(name + " exited; see " + process.log());
      }
      return status("/health/ready");
    }, s -> s == 200);
  }

  void kill9() throws InterruptedException {
    process.kill9();
  }

  boolean sigterm(Duration deadline) throws InterruptedException {
    return process.sigterm(deadline);
  }

  boolean alive() {
    return process.alive();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return process.log();
  }

  int status(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl() + path)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  String get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl() + path)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
