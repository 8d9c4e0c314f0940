package dev.orderflow.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus process on a free port with a temporary store, started with a given configuration, and its
 * query API. The binary comes from {@code bin/ensure-prometheus}; where none can be had, the calling test is
 * skipped with the reason. {@link #close()} (or a shutdown hook, should the JVM die first) stops the process.
 */
public final class PrometheusServer implements AutoCloseable {

  private final Process process;
  private final Path home;
  private final int port;
  private final Thread killOnExit;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, Path home, int port) {
    this.process = process;
    this.home = home;
    this.port = port;
    this.killOnExit = new Thread(process::destroyForcibly, "prometheus-test-server-cleanup");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Starts Prometheus with {@code config} (the text of a prometheus.yml). */
  public static PrometheusServer start(String config) throws IOException, InterruptedException {
    Process ensure = new ProcessBuilder("bin/ensure-prometheus").redirectErrorStream(true).start();
    String output = new String(ensure.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    Assumptions.assumeTrue(ensure.waitFor() == 0, "no Prometheus on this machine: " + output);
    String binary = output.lines().reduce((first, last) -> last).orElseThrow();

    Path home = Files.createTempDirectory("orderflow-prometheus-");
    Path configFile = Files.writeString(home.resolve("prometheus.yml"), config);
    int port = NatsTestServer.freePort();
    Process process = new ProcessBuilder(binary, "--config.file=" + configFile,
        "--storage.tsdb.path=" + home.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(home.resolve("prometheus.log").toFile())
        .start();
    PrometheusServer server = new PrometheusServer(process, home, port);
    try {
      Eventually.eventually(() -> server.get("/-/ready").statusCode(), status -> status == 200);
    } catch (AssertionError e) {
      server.close();
      throw new AssertionError("Prometheus did not become ready; its log: " + server.log(), e);
    }
    return server;
  }

  /** The result vector of an instant query ({@code GET /api/v1/query}). */
  public JsonArray query(String promQl) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8));
    JsonObject body = new JsonObject(response.body());
    if (!"success".equals(body.getString("status"))) {
      throw new AssertionError("query " + promQl + " failed: " + response.body());
    }
    return body.getJsonObject("data").getJsonArray("result");
  }

  /** Prometheus's own log so far. */
  public String log() {
    try {
      return Files.readString(home.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway
    }
    try (var files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a stray temporary file is no reason to fail a test
    }
  }
}
