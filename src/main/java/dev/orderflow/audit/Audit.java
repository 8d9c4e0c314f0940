package dev.orderflow.audit;

import dev.orderflow.messaging.operate.ConsumerStates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks from the outside that a run kept Orderflow's promise (docs/architecture.md): every order accepted is
 * processed exactly once in effect. Waits (up to {@link AuditOptions#drainTimeout()}) for orders to reach a terminal
 * status and consumers to drain, then checks what the API, the gateway's charge log and NATS say. See
 * {@code bin/audit} for the command line.
 */
public final class Audit {

  private static final long POLL_MILLIS = 500;

  private final AuditOptions options;
  private final AuditClient client;

  private Audit(AuditOptions options) {
    this.options = options;
    this.client = new AuditClient(options.apiUrls(), options.inventoryUrls(), options.concurrency(),
        options.token(), options.gatewayToken());
  }

  /** Runs the audit; the report says whether every check held. */
  public static AuditReport run(AuditOptions options) throws Exception {
    return new Audit(options).audit();
  }

  public static void main(String[] args) {
    System.exit(AuditCommand.run(args));
  }

  private AuditReport audit() throws Exception {
    long started = System.nanoTime();
    long deadline = started + options.drainTimeout().toNanos();
    Phases phases = new Phases();
    Map<String, AuditClient.View> views = new HashMap<>();
    Set<String> audited;
    Set<String> open;
    Sample sample = null;
    if (options.idsFromStream()) {
      try (StreamOrders orders = StreamOrders.open(options.natsUrl())) {
        open = orders.drain(deadline);
        audited = new LinkedHashSet<>(orders.ids());
        audited.forEach(id -> views.put(id, orders.view(id)));
        phases.end("streams");
        sample = sample(orders);
        phases.end("API sample");
      }
    } else {
      open = drain(options.accepted(), views, deadline);
      // An uncertain answer may or may not have stored its order: audit those that exist.
      Map<String, AuditClient.View> uncertain = fetchAll(options.uncertain());
      List<String> stored = uncertain.entrySet().stream().filter(e -> e.getValue() != null)
          .map(Map.Entry::getKey).toList();
      open.addAll(drain(stored, views, deadline));
      audited = new HashSet<>(options.accepted());
      audited.addAll(stored);
      phases.end("API views");
    }

    List<AuditClient.Charge> charges = client.charges(options.gatewayUrl());
    phases.end("charge log");
    Map<String, Integer> authorized = new HashMap<>();
    Map<String, Integer> standing = new HashMap<>();
    Set<String> refunded = new HashSet<>();
    Set<String> chargedOrders = new HashSet<>();
    for (AuditClient.Charge charge : charges) {
      chargedOrders.add(charge.orderId());
      if ("AUTHORIZED".equals(charge.status())) {
        authorized.merge(charge.orderId(), 1, Integer::sum);
        if (charge.refunded()) {
          refunded.add(charge.orderId());
        } else {
          standing.merge(charge.orderId(), 1, Integer::sum);
        }
      }
    }
    List<String> strangers = chargedOrders.stream().filter(id -> !audited.contains(id)).sorted().toList();
    // Orders charged but never listed still took stock: look at them too, so the stock check stays exact.
    fetchAll(strangers).forEach((id, view) -> {
      if (view != null) {
        views.put(id, view);
      }
    });

    phases.end("charges to orders");
    List<ConsumerStates.State> consumers = drainedConsumers(deadline);
    phases.end("consumers");
    AuditReport report = report(audited, views, open, new Charges(authorized, standing, refunded), strangers,
        consumers, charges.size(), sample);
    phases.end("checks and stock");
    report.took(Duration.ofNanos(System.nanoTime() - started), phases.took);
    return report;
  }

  /** How long each part of the audit took, for the report (an audit of 500k orders should say where it spends). */
  private static final class Phases {
    private final Map<String, Duration> took = new LinkedHashMap<>();
    private long since = System.nanoTime();

    void end(String phase) {
      long now = System.nanoTime();
      took.put(phase, Duration.ofNanos(now - since));
      since = now;
    }
  }

  /** The API's views of a few orders, spread evenly over the run, held against what the streams say. */
  private record Sample(int size, List<String> disagreeing, long notOrders) {}

  private Sample sample(StreamOrders orders) throws InterruptedException {
    List<String> ids = orders.ids();
    int size = Math.min(options.apiSample(), ids.size());
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      chosen.add(ids.get((int) ((long) i * ids.size() / size)));
    }
    Map<String, AuditClient.View> fetched = fetchAll(chosen);
    List<String> disagreeing = new ArrayList<>();
    for (String id : chosen) {
      AuditClient.View seen = fetched.get(id);
      AuditClient.View recorded = orders.view(id);
      if (!fetched.containsKey(id)) {
        disagreeing.add(id + "(no answer)");
      } else if (seen == null) {
        disagreeing.add(id + "(404)");
      } else if (recorded.terminal() && !recorded.equals(seen)) {
        // An open order may move on between the two reads; a terminal one never changes again.
        disagreeing.add(id + "(API " + seen.status() + " " + seen.reason() + " " + seen.units() + ", streams "
            + recorded.status() + " " + recorded.reason() + " " + recorded.units() + ")");
      }
    }
    return new Sample(size, disagreeing, orders.notOrders());
  }

  /** Polls the views of {@code ids} until each is terminal or the deadline passes; answers those still open. */
  private Set<String> drain(List<String> ids, Map<String, AuditClient.View> views, long deadline)
      throws InterruptedException {
    Set<String> open = new LinkedHashSet<>(ids);
    while (true) {
      Map<String, AuditClient.View> fetched = client.views(open);
      fetched.forEach((id, view) -> {
        if (view != null) {
          views.put(id, view);
          if (view.terminal()) {
            open.remove(id);
          }
        }
      });
      if (open.isEmpty() || System.nanoTime() > deadline) {
        return open;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** One look at each id, retrying only requests that failed (not unknown orders). */
  private Map<String, AuditClient.View> fetchAll(List<String> ids) throws InterruptedException {
    Map<String, AuditClient.View> all = new HashMap<>();
    Set<String> left = new LinkedHashSet<>(ids);
    for (int attempt = 0; attempt < 5 && !left.isEmpty(); attempt++) {
      Map<String, AuditClient.View> fetched = client.views(left);
      all.putAll(fetched);
      left.removeAll(fetched.keySet());
    }
    return all;
  }

  private List<ConsumerStates.State> drainedConsumers(long deadline) throws Exception {
    while (true) {
      List<ConsumerStates.State> consumers = consumers();
      if (consumers.stream().allMatch(ConsumerStates.State::idle) || System.nanoTime() > deadline) {
        return consumers;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private List<ConsumerStates.State> consumers() throws Exception {
    if (options.natsUrl() != null) {
      return ConsumerStates.read(options.natsUrl()).consumers();
    }
    if (options.monitorUrl() == null) {
      return List.of();
    }
    // The monitoring endpoint: accounts → streams → consumers.
    JsonObject jsz = client.getJson(options.monitorUrl() + "/jsz?accounts=true&streams=true&consumers=true");
    List<ConsumerStates.State> found = new ArrayList<>();
    for (Object account : jsz.getJsonArray("account_details", new JsonArray())) {
      for (Object stream : ((JsonObject) account).getJsonArray("stream_detail", new JsonArray())) {
        JsonObject s = (JsonObject) stream;
        for (Object consumer : s.getJsonArray("consumer_detail", new JsonArray())) {
          JsonObject c = (JsonObject) consumer;
          found.add(new ConsumerStates.State(s.getString("name"), c.getString("name"), List.of(),
              c.getLong("num_pending", 0L), c.getLong("num_ack_pending", 0L), c.getLong("num_redelivered", 0L)));
        }
      }
    }
    return found;
  }

  /**
   * The gateway's log by order: authorized charges, those not refunded (standing), and the orders with a refund.
   */
  private record Charges(Map<String, Integer> authorized, Map<String, Integer> standing, Set<String> refunded) {}

  private AuditReport report(Set<String> audited, Map<String, AuditClient.View> views, Set<String> open,
      Charges gateway, List<String> strangers, List<ConsumerStates.State> consumers, int charges,
      Sample sample) throws Exception {
    AuditReport report = new AuditReport();
    Map<String, Integer> authorized = gateway.authorized();
    Map<String, Long> outcomes = new TreeMap<>();
    List<String> shippedNotOnce = new ArrayList<>();
    List<String> shippedRefunded = new ArrayList<>();
    List<String> cancelledCharged = new ArrayList<>();
    Map<String, Long> shippedUnits = new TreeMap<>();
    for (String id : audited) {
      AuditClient.View view = views.get(id);
      if (view == null || !view.terminal()) {
        continue;
      }
      int charged = gateway.standing().getOrDefault(id, 0);
      outcomes.merge(view.status().equals("SHIPPED") ? "SHIPPED" : "CANCELLED " + view.reason(), 1L, Long::sum);
      if (view.status().equals("SHIPPED")) {
        if (charged != 1) {
          shippedNotOnce.add(id + "(" + charged + ")");
        }
        if (gateway.refunded().contains(id)) {
          shippedRefunded.add(id);
        }
      } else if (charged > 0) {
        cancelledCharged.add(id);
      }
    }
    views.forEach((id, view) -> {
      if (view != null && view.status().equals("SHIPPED")) {
        view.units().forEach((sku, units) -> shippedUnits.merge(sku, units, Long::sum));
      }
    });
    List<String> twice = authorized.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
        .sorted().toList();
    report.row("every order terminal (SHIPPED, or CANCELLED with a reason)", List.copyOf(open),
        audited.size() + " orders" + (sample == null ? "" : " (every OrderPlaced in the ORDERS stream"
            + (sample.notOrders() > 0 ? "; " + sample.notOrders() + " that are no order left out" : "") + ")")
        + ": " + outcomes);
    if (sample != null) {
      report.row("the API's view of an order agrees with the streams", sample.disagreeing(),
          sample.size() + " orders compared over GET /orders/{id}");
    }
    report.row("every SHIPPED order has exactly one AUTHORIZED charge", shippedNotOnce, "yes");
    report.row("no SHIPPED order was refunded", shippedRefunded, "yes");
    List<String> cancelNotKept = new ArrayList<>();
    for (String id : options.cancelled()) {
      AuditClient.View view = views.get(id);
      if (view == null || !view.status().equals("CANCELLED")
          || !List.of("CUSTOMER_REQUESTED", "OPERATOR_REQUESTED").contains(String.valueOf(view.reason()))) {
        cancelNotKept.add(id + "(" + (view == null ? "no view" : view.status() + " " + view.reason()) + ")");
      }
    }
    report.row("every cancellation answered 202 ended CANCELLED on request", cancelNotKept,
        options.cancelled().size() + " answered 202");
    report.row("no CANCELLED order has a standing (unrefunded) charge", cancelledCharged,
        gateway.refunded().size() + " orders refunded");
    report.row("no order charged twice", twice, charges + " charges in the gateway's log");
    report.row("every charge belongs to an audited order", strangers, "yes");
    stockRows(report, shippedUnits);
    List<String> busy = consumers.stream().filter(c -> !c.idle())
        .map(c -> c.durable() + "(pending " + c.pending() + ", ack-pending " + c.ackPending() + ")").toList();
    report.row("no consumer with pending or ack-pending messages", busy,
        consumers.isEmpty() ? "not checked (give --nats or --monitor)" : consumers.size() + " consumers idle");
    report.figures(audited.size(), outcomes, open.size(), twice.size());
    return report;
  }

  private void stockRows(AuditReport report, Map<String, Long> shippedUnits) throws Exception {
    List<String> wrong = new ArrayList<>();
    List<String> reserved = new ArrayList<>();
    Set<String> skus = new TreeSet<>(options.initialStock().keySet());
    skus.addAll(shippedUnits.keySet());
    for (String sku : skus) {
      Long initial = options.initialStock().get(sku);
      JsonObject level = client.stock(sku);
      long shipped = shippedUnits.getOrDefault(sku, 0L);
      if (initial == null || level == null) {
        wrong.add(sku + ": " + (initial == null ? "no initial stock given" : "no stock record"));
        continue;
      }
      long available = level.getLong("available", -1L);
      if (available != initial - shipped) {
        wrong.add(sku + ": available " + available + ", expected " + initial + " - " + shipped + " shipped");
      }
      // Inventory today keeps a shipped order's units as reserved (nothing moves them out on shipping); a model
      // where shipping consumes them leaves 0. Either way, nothing may stay held for a cancelled or open order.
      long held = level.getLong("reserved", 0L);
      if (held != 0 && held != shipped) {
        reserved.add(sku + ": reserved " + held + ", shipped " + shipped);
      }
    }
    report.row("stock = initial - units of SHIPPED orders, per SKU", wrong, skus.size() + " SKUs, "
        + shippedUnits.values().stream().mapToLong(Long::longValue).sum() + " units shipped");
    report.row("nothing held for unshipped orders (reserved = 0 or = shipped units)", reserved, "yes");
  }
}
