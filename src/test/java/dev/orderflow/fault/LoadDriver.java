package dev.orderflow.fault;

import dev.orderflow.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady {@code POST /orders} load at a set rate over one or more APIs: mostly orders that ship, some of the
 * sold-out SKU, some from {@code decline-} customers, a few of the limited poster. Every request carries its own
 * {@code Idempotency-Key}, so an answer that was lost (a reset, a timeout, a {@code 503 broker-unavailable}) can be
 * settled afterwards by asking again with the same key: {@link #settleUncertain} turns each into a known order or a
 * known refusal, so that the accepted list handed to the audit is exact.
 */
final class LoadDriver implements AutoCloseable {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final int MAX_IN_FLIGHT = 1024;
  private static final long TICK_MILLIS = 10;
  /** Every scenario cancels a share of its orders, racing the saga at every step (and the scenario's faults). */
  static final double DEFAULT_CANCEL_SHARE = 0.1;
  private static final long CANCEL_WITHIN_MILLIS = 400;

  /** One answer (status -1 for a transport error), with the times it was sent and answered. */
  record Answer(String api, long sentNanos, long answeredNanos, int status, String type, boolean retryAfter,
      String error) {}

  private record Attempt(String key, String body) {}

  /** An operator's token: operators may place orders for any customer (see the README's Security section). */
  private static final String AUTHORIZATION = "Bearer " + TestTokens.operator();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3))
      .build();
  private final List<String> apis;
  private final Queue<String> accepted = new ConcurrentLinkedQueue<>();
  /** Orders whose cancellation was answered 202. */
  private final Queue<String> cancelled = new ConcurrentLinkedQueue<>();
  /** Share of accepted orders the driver cancels, each at a random moment within {@value #CANCEL_WITHIN_MILLIS} ms. */
  private volatile double cancelShare = DEFAULT_CANCEL_SHARE;
  private final ScheduledExecutorService cancels = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "load-driver-cancels");
    thread.setDaemon(true);
    return thread;
  });
  private final Queue<Attempt> uncertain = new ConcurrentLinkedQueue<>();
  private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong next = new AtomicLong();
  private volatile double ratePerSecond;
  private volatile boolean running;
  private Thread ticker;

  LoadDriver(List<String> apis, double ratePerSecond) {
    this.apis = List.copyOf(apis);
    this.ratePerSecond = ratePerSecond;
  }

  LoadDriver start() {
    running = true;
    ticker = new Thread(this::tick, "load-driver");
    ticker.setDaemon(true);
    ticker.start();
    return this;
  }

  void rate(double perSecond) {
    this.ratePerSecond = perSecond;
  }

  private void tick() {
    double owed = 0;
    long last = System.nanoTime();
    while (running) {
      long now = System.nanoTime();
      owed += ratePerSecond * (now - last) / 1e9;
      last = now;
      while (owed >= 1 && running) {
        owed -= 1;
        if (inFlight.tryAcquire()) {
          send(new Attempt(UUID.randomUUID().toString(), body()));
        } else {
          byStatus.computeIfAbsent("driver-window-full", k -> new AtomicLong()).incrementAndGet();
        }
      }
      try {
        Thread.sleep(TICK_MILLIS); // pacing of an open-loop load generator
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void send(Attempt attempt) {
    String api = apis.get((int) Math.floorMod(next.getAndIncrement(), (long) apis.size()));
    HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/orders"))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", attempt.key())
        .header("Authorization", AUTHORIZATION)
        .POST(HttpRequest.BodyPublishers.ofString(attempt.body()))
        .build();
    long sent = System.nanoTime();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      try {
        record(attempt, api, sent, response, failure);
      } finally {
        inFlight.release(); // only once recorded: stop() waits for every answer to be counted
      }
    });
  }

  private void record(Attempt attempt, String api, long sent, HttpResponse<String> response, Throwable failure) {
    long answered = System.nanoTime();
    if (failure != null) {
      Throwable cause = failure.getCause() == null ? failure : failure.getCause();
      String kind = cause instanceof ConnectException ? "refused" : cause.getClass().getSimpleName();
      count("error " + kind);
      answers.add(new Answer(api, sent, answered, -1, null, false,
          cause instanceof ConnectException ? kind : kind + ": " + cause.getMessage()));
      if (!(cause instanceof ConnectException)) {
        uncertain.add(attempt); // the request may have reached the service
      }
      return;
    }
    String type = "";
    if (response.statusCode() != 202) {
      try {
        String full = new JsonObject(response.body()).getString("type", "");
        type = full.substring(full.lastIndexOf('/') + 1);
      } catch (RuntimeException notJson) {
        type = "not-problem-json";
      }
    }
    count(response.statusCode() + (type.isEmpty() ? "" : " " + type));
    answers.add(new Answer(api, sent, answered, response.statusCode(), type,
        response.headers().firstValue("Retry-After").isPresent(), null));
    if (response.statusCode() == 202) {
      String orderId = new JsonObject(response.body()).getString("orderId");
      accepted.add(orderId);
      maybeCancel(api, orderId);
    } else if (response.statusCode() == 503 && type.equals("broker-unavailable")) {
      uncertain.add(attempt); // "it may still have been stored"
    }
  }

  /** With {@link #cancelShare}, cancels the order a random moment later: while it is reserved, paid, confirmed... */
  private void maybeCancel(String api, String orderId) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (random.nextDouble() >= cancelShare || !running || !inFlight.tryAcquire()) {
      return;
    }
    try {
      cancels.schedule(() -> cancel(api, orderId), random.nextLong(CANCEL_WITHIN_MILLIS), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      inFlight.release();
    }
  }

  private void cancel(String api, String orderId) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/orders/" + orderId + "/cancel"))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", AUTHORIZATION)
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      try {
        if (failure != null) {
          Throwable cause = failure.getCause() == null ? failure : failure.getCause();
          count("cancel error " + (cause instanceof ConnectException ? "refused" : cause.getClass().getSimpleName()));
        } else {
          count("cancel " + response.statusCode());
          if (response.statusCode() == 202) {
            cancelled.add(orderId);
          }
        }
      } finally {
        inFlight.release();
      }
    });
  }

  /** Sets the share of accepted orders cancelled (0: none). */
  void cancelShare(double share) {
    this.cancelShare = share;
  }

  /** Orders whose cancellation was answered 202: each must end CANCELLED on request. */
  List<String> cancelled() {
    return List.copyOf(cancelled);
  }

  private void count(String what) {
    byStatus.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  /** Stops sending and waits for the requests in flight. */
  void stop() throws InterruptedException {
    running = false;
    if (ticker != null) {
      ticker.join();
    }
    // Cancellations scheduled before the stop still go out; each holds a permit until answered.
    inFlight.acquire(MAX_IN_FLIGHT);
    inFlight.release(MAX_IN_FLIGHT);
  }

  /**
   * Asks again, with the same key and body, for every request whose answer was lost or uncertain, until each gets
   * a 202 (the order it made, or makes now) or a refusal that says nothing was stored. Call after {@link #stop}.
   */
  int settleUncertain(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Attempt> open = new ArrayList<>(uncertain);
    uncertain.clear();
    int settled = 0;
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      List<Attempt> again = new ArrayList<>();
      for (Attempt attempt : open) {
        String api = apis.get((int) Math.floorMod(next.getAndIncrement(), (long) apis.size()));
        try {
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/orders"))
              .timeout(REQUEST_TIMEOUT)
              .header("Content-Type", "application/json")
              .header("Idempotency-Key", attempt.key())
              .header("Authorization", AUTHORIZATION)
              .POST(HttpRequest.BodyPublishers.ofString(attempt.body()))
              .build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 202) {
            accepted.add(new JsonObject(response.body()).getString("orderId"));
            settled++;
          } else if (response.statusCode() >= 500 || response.statusCode() == 429) {
            again.add(attempt);
          } else {
            settled++; // refused for good: nothing stored
          }
        } catch (java.io.IOException e) {
          again.add(attempt);
        }
      }
      open = again;
      if (!open.isEmpty()) {
        Thread.sleep(500); // the service is still recovering
      }
    }
    if (!open.isEmpty()) {
      throw new AssertionError(open.size() + " uncertain requests could not be settled");
    }
    return settled;
  }

  /** Ids of the orders accepted (202), including those settled afterwards. */
  List<String> accepted() {
    return List.copyOf(accepted);
  }

  List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Answers by status and problem type ("202", "503 broker-unavailable", "error refused", ...). */
  Map<String, Long> byStatus() {
    Map<String, Long> counts = new TreeMap<>();
    byStatus.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  private static String body() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int dice = random.nextInt(100);
    String customer = (dice < 10 ? "decline-" : "c-") + random.nextInt(10_000);
    JsonArray items = new JsonArray();
    if (dice >= 10 && dice < 20) {
      items.add(item("VINYL-SOLD-OUT", 1));
    } else if (dice >= 20 && dice < 25) {
      items.add(item("POSTER-A2", 1 + random.nextInt(3)));
    } else {
      items.add(item(random.nextBoolean() ? "MUG-LOGO" : "TSHIRT-RED-M", 1 + random.nextInt(3)));
      if (random.nextInt(4) == 0) {
        items.add(item("HOODIE-GREY-L", 1));
      }
    }
    return new JsonObject().put("customerId", customer).put("items", items).encode();
  }

  private static JsonObject item(String sku, int quantity) {
    return new JsonObject().put("sku", sku).put("quantity", quantity);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    cancels.shutdownNow();
    if (ticker != null) {
      ticker.interrupt();
    }
  }
}
