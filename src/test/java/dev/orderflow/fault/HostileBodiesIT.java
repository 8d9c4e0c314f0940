package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One customer with an ordinary token sends the bodies that cost the API the most to refuse. Each must be answered
 * in a small bound of the service's CPU (read from {@code /proc} before and after, divided by the bodies), and
 * a normal order placed meanwhile must stay fast.
 */
@DisplayName("Hostile order bodies")
class HostileBodiesIT {

  /** The bound: any body up to http.maxBodyBytes is answered within this much CPU. */
  private static final double MAX_CPU_MILLIS_PER_BODY = 2.0;
  private static final int BODIES = 500;
  private static final int CONNECTIONS = 6;
  private static final int MAX_BODY_BYTES = 65_536;
  private static final String NORMAL_ORDER =
      "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(CONNECTIONS)).build();
  private final String token = TestTokens.token("bob", false);

  @Test
  @DisplayName("are each refused within 2 ms of CPU, and a normal order stays fast while six connections send them")
  void boundedCostPerRefusal() throws Exception {
    try (FaultLab lab = new FaultLab("hostile-bodies")) {
      lab.nats();
      // The orders role alone: nothing but the API (and its publishes) spends the CPU measured.
      // The JVM as the service runs by default (both JIT compilers), not the suite's quick-start one.
      // Without the pause after a refusal, so that what is measured is the work per body (with it, the bodies come
      // slower and the JVM's own background work in between would be divided among them too).
      ServiceProcess api = lab.worker("api", new JsonObject().put("roles", "orders")
          .put("http", new JsonObject().put("instances", 2))
          .put("limits", new JsonObject().put("pauseAfterRefusalMs", 0)), List.of("-Xmx512m")).startReady();
      URI orders = URI.create(api.apiUrl() + "/orders");
      long ticks = clockTicks();
      // Warm-up, so that what is measured is the compiled code's cost and not the compilers': every body as often
      // as it is measured, and normal orders.
      for (byte[] body : shapes().values()) {
        send(orders, body, BODIES, BODIES * MAX_CPU_MILLIS_PER_BODY * 2, api.pid(), ticks);
      }
      normalOrders(orders, Duration.ofSeconds(2));
      StringBuilder figures = new StringBuilder("| body | bytes | answer | JVM CPU per body |\n|---|---|---|---|\n");
      Map<String, Double> costs = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> shape : shapes().entrySet()) {
        byte[] body = shape.getValue();
        assertThat(body.length).as(shape.getKey()).isLessThanOrEqualTo(MAX_BODY_BYTES);
        long before = cpuMillis(api.pid(), ticks);
        Result result = send(orders, body, BODIES, BODIES * MAX_CPU_MILLIS_PER_BODY, api.pid(), ticks);
        double perBody = (cpuMillis(api.pid(), ticks) - before) / (double) result.sent();
        costs.put(shape.getKey(), perBody);
        figures.append(String.format("| %s | %,d | %s | %.3f ms |%n", shape.getKey(), body.length, result.statuses(),
            perBody));
        assertThat(result.statuses().keySet()).as(shape.getKey() + ": answers").allMatch(s -> s >= 400 && s < 500);
      }
      Latency unloaded = normalOrders(orders, Duration.ofSeconds(4));
      // One hostile client on six connections: from an address the rate limit spares (as loopback is by default),
      // then from one it holds to limits.requestsPerSecond.
      Hostile exempt = hostile(api, "127.0.0.1", orders, Duration.ofSeconds(5), ticks);
      Hostile limited = hostile(api, "127.0.0.2", orders, Duration.ofSeconds(5), ticks);
      figures.append(String.format("%nwithout limits.pauseAfterRefusalMs: normal orders one after the other: "
              + "unloaded p50 %.1f ms, p99 %.1f ms (%d orders)%n", unloaded.p50(), unloaded.p99(), unloaded.count()))
          .append(exempt.describe("from an address without rate limit (loopback)"))
          .append(limited.describe("from an address held to the rate limit"));
      api.close();

      // As configured by default: a refused request's connection waits before its next request is read.
      ServiceProcess guarded = lab.worker("guarded", new JsonObject().put("roles", "orders")
          .put("http", new JsonObject().put("instances", 2)), List.of("-Xmx512m")).startReady();
      URI guardedOrders = URI.create(guarded.apiUrl() + "/orders");
      for (byte[] body : shapes().values()) {
        send(guardedOrders, body, 60, Double.MAX_VALUE, guarded.pid(), ticks);
      }
      normalOrders(guardedOrders, Duration.ofSeconds(2));
      Latency guardedUnloaded = normalOrders(guardedOrders, Duration.ofSeconds(4));
      Hostile guardedExempt = hostile(guarded, "127.0.0.1", guardedOrders, Duration.ofSeconds(5), ticks);
      Hostile guardedLimited = hostile(guarded, "127.0.0.2", guardedOrders, Duration.ofSeconds(5), ticks);
      figures.append(String.format("with limits.pauseAfterRefusalMs at its default: normal orders one after the "
              + "other: unloaded p50 %.1f ms, p99 %.1f ms (%d orders)%n", guardedUnloaded.p50(),
              guardedUnloaded.p99(), guardedUnloaded.count()))
          .append(guardedExempt.describe("from an address without rate limit (loopback)"))
          .append(guardedLimited.describe("from an address held to the rate limit"));
      Path file = Path.of("target", "fault-logs", "hostile-bodies.md");
      Files.createDirectories(file.getParent());
      Files.writeString(file, figures, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      System.out.print(figures);
      costs.forEach((shape, perBody) ->
          assertThat(perBody).as(shape + ": ms of CPU per body").isLessThanOrEqualTo(MAX_CPU_MILLIS_PER_BODY));
      // Without the pause only a bound against stalls (the code before took 14 to 30 s): the hostile client shares
      // this machine's two cores. With it, the aim: within twice the unloaded p99 (and 5 ms, for a p99 of a
      // few milliseconds on a machine shared with other work).
      for (Hostile load : List.of(exempt, limited)) {
        assertThat(load.latency().p99()).as("a normal order's p99 under a hostile client, ms").isLessThan(1_000);
      }
      for (Hostile load : List.of(guardedExempt, guardedLimited)) {
        assertThat(load.latency().p99()).as("a normal order's p99 under a hostile client, pausing after refusals, ms")
            .isLessThanOrEqualTo(2 * guardedUnloaded.p99() + 5);
      }
    }
  }

  @Test
  @DisplayName("hold a connection's next request for limits.pauseAfterRefusalMs once one was refused; no other")
  void pauseAfterRefusal() throws Exception {
    long pauseMillis = 400;
    try (FaultLab lab = new FaultLab("pause-after-refusal")) {
      lab.nats();
      ServiceProcess api = lab.worker("api", new JsonObject().put("roles", "orders")
          .put("limits", new JsonObject().put("pauseAfterRefusalMs", pauseMillis))).startReady();
      byte[] hostile = rawPost(api.httpPort, shapes().values().iterator().next());
      byte[] normal = rawPost(api.httpPort, bytes(NORMAL_ORDER));
      RawConnection refused = new RawConnection("127.0.0.1", api.httpPort);
      RawConnection other = new RawConnection("127.0.0.1", api.httpPort);
      try {
        assertThat(other.exchange(normal)).isEqualTo(202);
        assertThat(refused.exchange(hostile)).isEqualTo(422);
        long start = System.nanoTime();
        assertThat(refused.exchange(normal)).as("the next request on the refused connection").isEqualTo(202);
        double heldMillis = (System.nanoTime() - start) / 1e6;
        assertThat(heldMillis).as("ms until the next request on the refused connection was answered")
            .isGreaterThanOrEqualTo(pauseMillis * 0.9);
        // The pause is the connection's: after it, and on any other connection, orders go as usual. Only a bound
        // against a pause that spreads (the held request above takes the whole pause).
        for (RawConnection connection : List.of(refused, other)) {
          start = System.nanoTime();
          assertThat(connection.exchange(normal)).isEqualTo(202);
          assertThat((System.nanoTime() - start) / 1e6).as("ms for an order after an accepted one")
              .isLessThan(pauseMillis * 0.9);
        }
      } finally {
        refused.socket.close();
        other.socket.close();
      }
    }
  }

  private record Hostile(Latency latency, long sent, Map<Integer, Long> statuses, double serviceCores,
      double clientCores) {

    String describe(String where) {
      return String.format("while one client sends the bodies above on %d connections %s (%,d sent: %s): p50 %.1f "
              + "ms, p99 %.1f ms (%d orders); CPU meanwhile: the service %.2f cores, the test JVM (the client) %.2f "
              + "cores%n", CONNECTIONS, where, sent, statuses, latency.p50(), latency.p99(), latency.count(),
          serviceCores, clientCores);
    }
  }

  /**
   * Places normal orders for {@code duration} while {@value #CONNECTIONS} connections from {@code localAddress} send
   * the hostile bodies as fast as they are answered.
   */
  private Hostile hostile(ServiceProcess api, String localAddress, URI orders, Duration duration, long ticks)
      throws Exception {
    int port = api.httpPort;
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    Map<Integer, Long> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    ExecutorService senders = Executors.newFixedThreadPool(CONNECTIONS);
    List<byte[]> requests = shapes().values().stream().map(body -> rawPost(port, body)).toList();
    try {
      for (int c = 0; c < CONNECTIONS; c++) {
        int first = c;
        senders.submit(() -> {
          RawConnection connection = null;
          for (int i = first; running.get(); i++) {
            try {
              if (connection == null || connection.closed) {
                connection = new RawConnection(localAddress, port);
              }
              int status = connection.exchange(requests.get(i % requests.size()));
              statuses.merge(status, 1L, Long::sum);
              sent.incrementAndGet();
            } catch (java.io.IOException e) {
              connection = null; // the server closed it: open another
            }
          }
          return null;
        });
      }
      long start = System.nanoTime();
      long service = cpuMillis(api.pid(), ticks);
      long client = cpuMillis(ProcessHandle.current().pid(), ticks);
      Latency latency = normalOrders(orders, duration);
      double millis = (System.nanoTime() - start) / 1e6;
      return new Hostile(latency, sent.get(), statuses, (cpuMillis(api.pid(), ticks) - service) / millis,
          (cpuMillis(ProcessHandle.current().pid(), ticks) - client) / millis);
    } finally {
      running.set(false);
      senders.shutdown();
      senders.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private byte[] rawPost(int port, byte[] body) {
    byte[] head = ("POST /orders HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] request = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return request;
  }

  /** A keep-alive HTTP/1.1 connection from a chosen local address (the JDK's client cannot choose one). */
  private static final class RawConnection {
    private final java.net.Socket socket = new java.net.Socket();
    private final java.io.InputStream in;
    boolean closed;

    RawConnection(String localAddress, int port) throws java.io.IOException {
      socket.bind(new java.net.InetSocketAddress(localAddress, 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      in = new java.io.BufferedInputStream(socket.getInputStream());
    }

    /** Sends {@code request} and reads the answer; its status. */
    int exchange(byte[] request) throws java.io.IOException {
      try {
        socket.getOutputStream().write(request);
        String head = readHead();
        int status = Integer.parseInt(head.substring(9, 12));
        long length = 0;
        for (String line : head.split("\r\n")) {
          String lower = line.toLowerCase(java.util.Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(lower.substring(15).trim());
          } else if (lower.startsWith("connection:") && lower.contains("close")) {
            closed = true;
          }
        }
        in.readNBytes((int) length);
        if (closed) {
          socket.close();
        }
        return status;
      } catch (java.io.IOException | RuntimeException e) {
        socket.close();
        throw e instanceof java.io.IOException io ? io : new java.io.IOException(e);
      }
    }

    private String readHead() throws java.io.IOException {
      StringBuilder head = new StringBuilder();
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new java.io.EOFException("closed");
        }
        head.append((char) b);
      }
      return head.toString();
    }
  }

  /**
   * The bodies that made the JSON Schema validator report an error per element, and their relatives: each fills
   * the body limit (64 KiB) with what a refusal must not spend time on.
   */
  static Map<String, byte[]> shapes() {
    Map<String, byte[]> shapes = new LinkedHashMap<>();
    shapes.put("items: 32,000 numbers", order(repeat("1", ",", 32_000)));
    shapes.put("items: 16,000 empty objects", order(repeat("{}", ",", 16_000)));
    shapes.put("items: 1,900 lines of quantity 0", order(repeat("{\"sku\":\"MUG-LOGO\",\"quantity\":0}", ",", 1_900)));
    shapes.put("items: 2,600 lines of wrong types", order(repeat("{\"sku\":1,\"quantity\":\"1\"}", ",", 2_600)));
    shapes.put("6,000 unknown fields", bytes("{\"customerId\":\"bob\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]"
        + repeatNumbered(",\"f%d\":0", 6_000) + "}"));
    shapes.put("items nested 30,000 deep", order(repeat("[", "", 30_000) + repeat("]", "", 30_000)));
    shapes.put("a 60,000-character SKU", order("{\"sku\":\"" + "A".repeat(60_000) + "\",\"quantity\":1}"));
    shapes.put("an unknown field of 16,000 objects", bytes("{\"customerId\":\"bob\",\"items\":[{\"sku\":\"MUG-LOGO\","
        + "\"quantity\":1}],\"x\":[" + repeat("{}", ",", 16_000) + "]}"));
    return shapes;
  }

  private static byte[] order(String items) {
    return bytes("{\"customerId\":\"bob\",\"items\":[" + items + "]}");
  }

  private static String repeat(String element, String separator, int times) {
    return String.join(separator, Collections.nCopies(times, element));
  }

  private static String repeatNumbered(String format, int times) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < times; i++) {
      out.append(String.format(format, i));
    }
    return out.toString();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private record Result(int sent, Map<Integer, Long> statuses) {}

  /**
   * Sends {@code body} {@code count} times over {@value #CONNECTIONS} connections; stops early once the service
   * spent more than {@code budgetMillis} of CPU on them (the code before this bound took ~190 ms a body).
   */
  private Result send(URI orders, byte[] body, int count, double budgetMillis, long pid, long ticks)
      throws Exception {
    Map<Integer, Long> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    long start = cpuMillis(pid, ticks);
    int sent = 0;
    while (sent < count) {
      int batch = Math.min(CONNECTIONS, count - sent);
      List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        calls.add(http.sendAsync(post(orders, body), HttpResponse.BodyHandlers.discarding()));
      }
      for (var call : calls) {
        statuses.merge(call.get(60, TimeUnit.SECONDS).statusCode(), 1L, Long::sum);
      }
      sent += batch;
      if (cpuMillis(pid, ticks) - start > budgetMillis) {
        break;
      }
    }
    return new Result(sent, statuses);
  }

  private HttpRequest post(URI orders, byte[] body) {
    return HttpRequest.newBuilder(orders).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private record Latency(int count, double p50, double p99) {}

  /** Places normal orders one after the other for {@code duration}; their latencies in ms. */
  private Latency normalOrders(URI orders, Duration duration) throws Exception {
    List<Double> millis = new ArrayList<>();
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      long sent = System.nanoTime();
      HttpResponse<String> response =
          http.send(post(orders, bytes(NORMAL_ORDER)), HttpResponse.BodyHandlers.ofString());
      millis.add((System.nanoTime() - sent) / 1e6);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
    Collections.sort(millis);
    return new Latency(millis.size(), millis.get(millis.size() / 2),
        millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * 0.99) - 1)));
  }

  /** The process's CPU time (user + system) in ms, from {@code /proc/<pid>/stat}. */
  private static long cpuMillis(long pid, long ticksPerSecond) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / ticksPerSecond;
  }

  private static long clockTicks() throws Exception {
    Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    getconf.waitFor();
    return Long.parseLong(out);
  }
}
