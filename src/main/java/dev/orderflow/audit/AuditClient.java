package dev.orderflow.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** The audit's HTTP reads: order views (many at once, in a bounded window), the charge log, stock levels. */
final class AuditClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int CHARGE_PAGE = 50_000;

  /** An order as its view shows it; {@code units} per SKU. */
  record View(String status, String reason, Map<String, Long> units) {

    boolean terminal() {
      return status.equals("SHIPPED") || (status.equals("CANCELLED") && reason != null && !reason.isEmpty());
    }
  }

  /** A charge in the gateway's log, and whether it was refunded since. */
  record Charge(String orderId, String status, boolean refunded) {}

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final List<String> apiUrls;
  private final List<String> inventoryUrls;
  private final int concurrency;
  private final String token;
  private final String gatewayToken;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param inventoryUrls where {@code GET /inventory} is served (empty: by the {@code apiUrls})
   * @param token bearer token for the API's requests (null: none)
   * @param gatewayToken bearer token for the gateway simulator's (null: none)
   */
  AuditClient(List<String> apiUrls, List<String> inventoryUrls, int concurrency, String token, String gatewayToken) {
    this.apiUrls = apiUrls;
    this.inventoryUrls = inventoryUrls.isEmpty() ? apiUrls : inventoryUrls;
    this.concurrency = concurrency;
    this.token = token;
    this.gatewayToken = gatewayToken;
  }

  /**
   * The views of {@code ids}, fetched {@code concurrency} at a time. An unknown order maps to {@code null} (a
   * missing key means the fetch itself failed, to be tried again).
   */
  Map<String, View> views(Collection<String> ids) throws InterruptedException {
    Map<String, View> found = new ConcurrentHashMap<>();
    Map<String, Boolean> unknown = new ConcurrentHashMap<>();
    Semaphore window = new Semaphore(concurrency);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (String id : ids) {
      window.acquire();
      calls.add(http.sendAsync(apiGet(next(apiUrls) + "/orders/" + id), HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            window.release();
            if (failure != null) {
              return;
            }
            if (response.statusCode() == 404) {
              unknown.put(id, true);
            } else if (response.statusCode() == 200) {
              found.put(id, view(new JsonObject(response.body())));
            }
          }));
      // Completed calls need not be kept: only the ones still running matter for the final join.
      if (calls.size() >= 4 * concurrency) {
        calls.removeIf(CompletableFuture::isDone);
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    Map<String, View> result = new java.util.HashMap<>(found);
    unknown.keySet().forEach(id -> result.put(id, null));
    return result;
  }

  /** Every charge the gateway simulator made, oldest first. */
  List<Charge> charges(String gatewayUrl) throws IOException, InterruptedException {
    List<Charge> charges = new ArrayList<>();
    Integer from = 0;
    while (from != null) {
      JsonObject page = getJson(gatewayUrl + "/v1/charges?from=" + from + "&limit=" + CHARGE_PAGE, gatewayToken);
      for (Object item : page.getJsonArray("charges", new JsonArray())) {
        JsonObject charge = (JsonObject) item;
        charges.add(new Charge(charge.getString("orderId"), charge.getString("status"),
            charge.getJsonObject("refund") != null));
      }
      from = page.getInteger("next");
    }
    return charges;
  }

  /** {@code {available, reserved}} of a SKU, or null if the API does not know it. */
  JsonObject stock(String sku) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(apiGet(next(inventoryUrls) + "/inventory/" + sku),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
  }

  JsonObject getJson(String url) throws IOException, InterruptedException {
    return getJson(url, null);
  }

  /** GET {@code url} with {@code bearer} as its token (null: none); the answer, which must be a 200. */
  private JsonObject getJson(String url, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET();
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** The URLs in turn, so the reads spread over every instance. */
  private String next(List<String> urls) {
    return urls.get(Math.floorMod(next.getAndIncrement(), urls.size()));
  }

  private HttpRequest apiGet(String url) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request.build();
  }

  private static View view(JsonObject json) {
    Map<String, Long> units = new java.util.HashMap<>();
    for (Object item : json.getJsonArray("items", new JsonArray())) {
      JsonObject line = (JsonObject) item;
      units.merge(line.getString("sku"), line.getLong("quantity", 0L), Long::sum);
    }
    return new View(json.getString("status", ""), json.getString("cancellationReason"), units);
  }
}
