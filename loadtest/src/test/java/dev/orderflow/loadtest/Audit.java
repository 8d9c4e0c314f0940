package dev.orderflow.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Audits what a run accepted, from the outside only (the order API, the inventory API and the payment gateway
 * simulator's charge log): every accepted order reached a terminal status, the one its client expected; no order
 * was charged twice (one charge at most per order in the gateway's log), and each shipped order was charged
 * exactly once; each SKU's available stock went down by exactly what the shipped orders took (every cancellation
 * gave its stock back, once).
 *
 * <p>Usable without Gatling: take {@link #stock} before the load, keep the accepted orders, then call
 * {@link #run}. The stock check assumes that nobody else ordered those SKUs meanwhile.
 */
public final class Audit {

  /** One SKU's stock as {@code GET /inventory/{sku}} shows it. */
  public record StockLevel(long available, long reserved) {}

  /** One line of the audit table. */
  public record Row(String check, String expected, String found, boolean ok) {}

  /** The audit's outcome. */
  public record Report(List<Row> rows) {

    public boolean passed() {
      return rows.stream().allMatch(Row::ok);
    }

    /** The rows as a plain-text table. */
    public String table() {
      int width = rows.stream().mapToInt(row -> row.check().length()).max().orElse(10);
      StringBuilder out = new StringBuilder(String.format("%-" + width + "s  %12s  %12s  %s%n", "audit", "expected",
          "found", ""));
      rows.forEach(row -> out.append(String.format("%-" + width + "s  %12s  %12s  %s%n", row.check(),
          row.expected(), row.found(), row.ok() ? "ok" : "FAILED")));
      out.append(passed() ? "audit passed" : "audit FAILED").append('\n');
      return out.toString();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONCURRENCY = 32;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final String gatewayUrl;
  private final String token;

  /** @param token an operator's bearer token (the audit reads every order and the inventory); empty: none */
  public Audit(String baseUrl, String gatewayUrl, String token) {
    this.baseUrl = strip(baseUrl);
    this.gatewayUrl = strip(gatewayUrl);
    this.token = token;
  }

  /** The stock of each SKU now. */
  public Map<String, StockLevel> stock(Collection<String> skus) {
    return new TreeMap<>(fetchAll(skus, sku -> baseUrl + "/inventory/" + encode(sku),
        json -> new StockLevel(json.path("available").asLong(), json.path("reserved").asLong())));
  }

  /**
   * Audits {@code orders} (waiting up to {@code settle} for the last ones to finish), against the stock taken
   * before the run.
   */
  public Report run(List<AcceptedOrder> orders, Map<String, StockLevel> before, Duration settle) {
    List<Row> rows = new ArrayList<>();
    Map<String, JsonNode> views = settle(orders, settle);
    Map<String, Integer> outcomes = new TreeMap<>();
    int terminal = 0;
    int asExpected = 0;
    for (AcceptedOrder order : orders) {
      JsonNode view = views.get(order.orderId());
      String status = view == null ? "UNREADABLE" : view.path("status").asText();
      String reason = view == null ? "" : view.path("cancellationReason").asText("");
      outcomes.merge(reason.isEmpty() ? status : status + " " + reason, 1, Integer::sum);
      terminal += terminal(view) ? 1 : 0;
      asExpected += status.equals(order.expectedStatus()) && reason.equals(order.expectedReason()) ? 1 : 0;
    }
    int n = orders.size();
    rows.add(new Row("orders accepted by the run", "", Integer.toString(n), true));
    outcomes.forEach((outcome, count) -> rows.add(new Row("  " + outcome, "", Integer.toString(count), true)));
    rows.add(row("orders terminal (SHIPPED or CANCELLED)", n, terminal));
    rows.add(row("orders ended as their client expected", n, asExpected));
    chargeRows(orders, views, rows);
    stockRows(orders, views, before, rows);
    return new Report(rows);
  }

  private void chargeRows(List<AcceptedOrder> orders, Map<String, JsonNode> views, List<Row> rows) {
    Map<String, JsonNode> charges = fetchAll(orders.stream().map(AcceptedOrder::orderId).toList(),
        id -> gatewayUrl + "/v1/charges?orderId=" + encode(id), json -> json.path("charges"));
    int chargedTwice = 0;
    int shipped = 0;
    int shippedCharged = 0;
    int unpaidCharged = 0;
    int shippedRefunded = 0;
    int cancelledStanding = 0;
    long chargeCount = 0;
    for (AcceptedOrder order : orders) {
      JsonNode list = charges.get(order.orderId());
      int all = list == null ? 0 : list.size();
      int authorized = 0;
      int refunded = 0;
      for (int i = 0; i < all; i++) {
        boolean charged = list.get(i).path("status").asText().equals("AUTHORIZED");
        authorized += charged ? 1 : 0;
        refunded += charged && list.get(i).has("refund") ? 1 : 0;
      }
      chargeCount += all;
      // The same Idempotency-Key never charges twice, so one order has one charge at most, whatever its status.
      chargedTwice += all > 1 ? 1 : 0;
      JsonNode view = views.get(order.orderId());
      String status = view == null ? "" : view.path("status").asText();
      String reason = view == null ? "" : view.path("cancellationReason").asText("");
      if (status.equals("SHIPPED")) {
        shipped++;
        shippedCharged += authorized == 1 ? 1 : 0;
        shippedRefunded += refunded > 0 ? 1 : 0;
      } else if (reason.equals("OUT_OF_STOCK") || reason.equals("PAYMENT_DECLINED")) {
        unpaidCharged += authorized > 0 ? 1 : 0;
      } else if (status.equals("CANCELLED")) {
        cancelledStanding += authorized > refunded ? 1 : 0;
      }
    }
    rows.add(new Row("charges in the gateway's log", "", Long.toString(chargeCount), true));
    rows.add(row("orders charged twice", 0, chargedTwice));
    rows.add(row("SHIPPED orders with exactly one authorised charge", shipped, shippedCharged));
    rows.add(row("declined or sold-out orders with an authorised charge", 0, unpaidCharged));
    rows.add(row("SHIPPED orders refunded", 0, shippedRefunded));
    rows.add(row("orders cancelled on request with a charge not refunded", 0, cancelledStanding));
  }

  private void stockRows(List<AcceptedOrder> orders, Map<String, JsonNode> views, Map<String, StockLevel> before,
      List<Row> rows) {
    Map<String, StockLevel> after = stock(before.keySet());
    for (String sku : before.keySet()) {
      long taken = 0;
      for (AcceptedOrder order : orders) {
        JsonNode view = views.get(order.orderId());
        if (view != null && view.path("status").asText().equals("SHIPPED")) {
          taken += order.lines().getOrDefault(sku, 0);
        }
      }
      StockLevel was = before.get(sku);
      StockLevel now = after.get(sku);
      long change = now == null || was == null ? Long.MIN_VALUE : now.available() - was.available();
      rows.add(new Row("stock " + sku + ": change of available", Long.toString(-taken),
          change == Long.MIN_VALUE ? "unreadable" : Long.toString(change), change == -taken));
    }
  }

  /** Reads every order's view, again and again for those not yet terminal, until all are or time is up. */
  private Map<String, JsonNode> settle(List<AcceptedOrder> orders, Duration settle) {
    Map<String, JsonNode> views = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + settle.toNanos();
    List<String> pending = orders.stream().map(AcceptedOrder::orderId).toList();
    while (true) {
      views.putAll(fetchAll(pending, id -> baseUrl + "/orders/" + encode(id), Function.identity()));
      pending = pending.stream().filter(id -> !terminal(views.get(id))).toList();
      if (pending.isEmpty() || System.nanoTime() > deadline) {
        return views;
      }
      try {
        Thread.sleep(500); // between rounds of polling, not instead of a condition: the loop re-checks
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return views;
      }
    }
  }

  private static boolean terminal(JsonNode view) {
    String status = view == null ? "" : view.path("status").asText();
    return status.equals("SHIPPED") || status.equals("CANCELLED");
  }

  /** GETs a URL per key, at most {@link #CONCURRENCY} at a time; keys whose answer is not a 200 are left out. */
  private <T> Map<String, T> fetchAll(Collection<String> keys, Function<String, String> url,
      Function<JsonNode, T> read) {
    Map<String, T> found = new ConcurrentHashMap<>();
    Semaphore permits = new Semaphore(CONCURRENCY);
    List<CompletableFuture<?>> calls = new ArrayList<>(keys.size());
    for (String key : keys) {
      permits.acquireUninterruptibly();
      String target = url.apply(key);
      HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10))
          .header("Accept", "application/json");
      if (!token.isEmpty() && target.startsWith(baseUrl + "/")) { // the API's token goes to the API only
        builder.header("Authorization", "Bearer " + token);
      }
      HttpRequest request = builder.build();
      calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            permits.release();
            if (response != null && response.statusCode() == 200) {
              try {
                found.put(key, read.apply(JSON.readTree(response.body())));
              } catch (IOException e) {
                // left out: the audit reports it as unreadable
              }
            }
          }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    return found;
  }

  private static Row row(String check, long expected, long found) {
    return new Row(check, Long.toString(expected), Long.toString(found), expected == found);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
