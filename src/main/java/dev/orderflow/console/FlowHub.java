package dev.orderflow.console;

import dev.orderflow.http.HttpProblem;
import dev.orderflow.messaging.operate.TopologyFigures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live flow's one shared aggregation, pushed to every open console as Server-Sent Events. Once a second it reads
 * the cluster's figures (on a worker: jnats's management calls block; never a second read while one is under way),
 * builds one snapshot, serializes it once, and hands the same bytes to each event loop that has consoles, which
 * writes them to its own: a hundred consoles cost one read and one serialization a second, plus a write each.
 *
 * <p>It reads nothing while nobody watches (after {@link #LINGER}, so that a reload finds the chart still there). A
 * console whose connection cannot keep up misses ticks rather than queueing them, and is closed after
 * {@link #MAX_MISSED} in a row.
 */
final class FlowHub extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FlowHub.class);
  static final long TICK_MILLIS = 1_000;
  /** How long the figures are still read after the last console closed. */
  static final Duration LINGER = Duration.ofMinutes(5);
  /** Consoles open at once per process at most; beyond, 503. */
  static final int MAX_WATCHERS = 500;
  static final int MAX_MISSED = 30;
  /** Tells a browser's own SSE client when to reconnect; the console's client reconnects by itself too. */
  private static final String RETRY = "retry: 2000\n\n";

  private final Supplier<TopologyFigures.Figures> cluster;
  private final MeterReadings meters;
  private final FlowFigures figures = new FlowFigures();
  /** The consoles, by the event loop that serves each. */
  private final Map<Context, Set<Watcher>> watchers = new ConcurrentHashMap<>();
  private final WorkerExecutor worker;
  private volatile Buffer welcome = frame("flow", new JsonObject().put("chart", new io.vertx.core.json.JsonArray()));
  private volatile boolean stopped;
  private volatile long lastWatchedNanos = System.nanoTime() - LINGER.toNanos() - 1;
  private long timer = -1;
  private boolean reading;
  private boolean idle = true;

  FlowHub(Supplier<TopologyFigures.Figures> cluster, MeterReadings meters, WorkerExecutor worker) {
    this.cluster = cluster;
    this.meters = meters;
    this.worker = worker;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    watchers.forEach((context, set) -> context.runOnContext(v -> set.forEach(Watcher::close)));
    return worker.close();
  }

  /** How many consoles are open now. */
  int watching() {
    return watchers.values().stream().mapToInt(Set::size).sum();
  }

  /** Turns the request into a console's event stream (on the event loop that serves it). */
  void watch(RoutingContext ctx) {
    if (stopped) {
      throw HttpProblem.unavailable("shutting-down", "Shutting down", "This instance is shutting down");
    }
    if (watching() >= MAX_WATCHERS) {
      throw HttpProblem.unavailable("overloaded", "Too many consoles open",
          MAX_WATCHERS + " consoles are already open on this instance; close one or try another instance");
    }
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        // Proxies that buffer responses (nginx) would hold the events back.
        .putHeader("X-Accel-Buffering", "no");
    Context context = vertx.getOrCreateContext();
    Watcher watcher = new Watcher(response, ctx.request().connection());
    Set<Watcher> here = watchers.computeIfAbsent(context, c -> ConcurrentHashMap.newKeySet());
    here.add(watcher);
    lastWatchedNanos = System.nanoTime();
    response.closeHandler(v -> here.remove(watcher));
    response.write(Buffer.buffer(RETRY));
    response.write(welcome);
  }

  /** On the hub's context, once a second. */
  private void tick() {
    long now = System.nanoTime();
    if (watching() > 0) {
      lastWatchedNanos = now;
    } else if (now - lastWatchedNanos > LINGER.toNanos()) {
      idle = true;
      return;
    }
    if (idle) {
      idle = false;
      figures.reset();
    }
    if (reading) {
      return; // the broker is slow: the next tick reads again, no reads pile up
    }
    reading = true;
    worker.<TopologyFigures.Figures>executeBlocking(cluster::get, false).onComplete(read -> {
      reading = false;
      if (!stopped) {
        publish(read.succeeded() ? read.result() : null, read.succeeded() ? null : read.cause().getMessage());
      }
    });
  }

  private void publish(TopologyFigures.Figures figuresRead, String error) {
    FlowFigures.Tick tick = figures.next(Instant.now(), System.nanoTime(), figuresRead, error, meters.read());
    Buffer frame = frame("tick", tick.snapshot());
    welcome = frame("flow", tick.snapshot().copy().put("chart", figures.chart()));
    watchers.forEach((context, set) -> {
      if (!set.isEmpty()) {
        context.runOnContext(v -> set.forEach(watcher -> watcher.send(frame)));
      }
    });
    if (error != null) {
      LOG.debug("console: the cluster's figures could not be read: {}", error);
    }
  }

  /** One SSE event, serialized once for every console. */
  private static Buffer frame(String event, JsonObject data) {
    return Buffer.buffer(("event: " + event + "\ndata: " + data.encode() + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  /** One open console; touched only on the event loop that serves it. */
  private static final class Watcher {
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private int missed;

    Watcher(HttpServerResponse response, HttpConnection connection) {
      this.response = response;
      this.connection = connection;
    }

    void send(Buffer frame) {
      if (response.closed() || response.ended()) {
        return;
      }
      if (response.writeQueueFull()) {
        if (++missed > MAX_MISSED) {
          close();
        }
        return;
      }
      missed = 0;
      response.write(frame);
    }

    void close() {
      if (!response.closed() && !response.ended()) {
        response.end();
      }
      // An event stream's connection is not reused: closing it ends the console's request at once.
      connection.close();
    }
  }
}
