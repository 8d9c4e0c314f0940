package dev.orderflow.audit;

import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.operate.EventScan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every order and its outcome as the streams record them, read in a few passes instead of a request per order:
 * the accepted orders are the {@code OrderPlaced} events (the API answers 202 only once one is stored), an order is
 * CANCELLED when an {@code OrderCancelled} is stored for it and SHIPPED when a {@code ShipmentScheduled} is (and no
 * cancellation) — the same events, read by the same rule, as the order view of {@code GET /orders/{id}}.
 *
 * <p>Like the view, an {@code OrderPlaced} without lines or total (or undecodable) is no order: such a message never
 * came from the API, and its consumer dead-lettered it. Each {@link #refresh} reads only what was stored since the
 * last one; the three kinds of event are read at once, each over a connection of its own (the client's parsing is
 * the bottleneck of a pass, and each connection parses on its own thread).
 */
final class StreamOrders implements AutoCloseable {

  private static final long POLL_MILLIS = 1_000;

  private final EventScan placedScan;
  private final EventScan cancelledScan;
  private final EventScan shippedScan;
  private final ExecutorService passes = Executors.newFixedThreadPool(3);
  /** Units per SKU of each order, in the order the orders were placed. */
  private final Map<String, Map<String, Long>> orders = new LinkedHashMap<>();
  private final Map<String, String> cancelled = new HashMap<>();
  private final Set<String> shipped = new HashSet<>();
  /** SKU names are shared by many orders: one String each. */
  private final Map<String, String> skus = new HashMap<>();
  private long placedAt;
  private long cancelledAt;
  private long shippedAt;
  private long notOrders;

  private StreamOrders(EventScan placedScan, EventScan cancelledScan, EventScan shippedScan) {
    this.placedScan = placedScan;
    this.cancelledScan = cancelledScan;
    this.shippedScan = shippedScan;
  }

  static StreamOrders open(String natsUrl) throws Exception {
    return new StreamOrders(EventScan.open(natsUrl), EventScan.open(natsUrl), EventScan.open(natsUrl));
  }

  /**
   * Reads until every order is terminal or the deadline passes ({@link System#nanoTime}); answers the ids of the
   * orders still open.
   */
  Set<String> drain(long deadline) throws Exception {
    while (true) {
      refresh();
      Set<String> open = new LinkedHashSet<>();
      orders.keySet().stream().filter(id -> !view(id).terminal()).forEach(open::add);
      if (open.isEmpty() || System.nanoTime() > deadline) {
        return open;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * Reads what was stored since the last call. An outcome may be read before its order's placement (that comes in
   * the next call): outcomes are kept by order id, and an order counts as open until both are in.
   */
  void refresh() throws Exception {
    List<Future<Long>> done = passes.invokeAll(List.of(
        () -> placedScan.read(Topology.ORDER_PLACED, placedAt, this::placed),
        () -> cancelledScan.read(Topology.ORDER_CANCELLED, cancelledAt, this::cancelled),
        () -> shippedScan.readOrderIds(Topology.SHIPMENT_SCHEDULED, shippedAt, shipped::add)));
    try {
      placedAt = done.get(0).get();
      cancelledAt = done.get(1).get();
      shippedAt = done.get(2).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The accepted orders, in the order they were placed. */
  List<String> ids() {
    return new ArrayList<>(orders.keySet());
  }

  /** {@code OrderPlaced} messages that are no order (see the class comment). */
  long notOrders() {
    return notOrders;
  }

  /** The order's view as the streams have it: SHIPPED, CANCELLED (with its reason) or, until then, OPEN. */
  AuditClient.View view(String id) {
    Map<String, Long> units = orders.get(id);
    if (cancelled.containsKey(id)) {
      return new AuditClient.View("CANCELLED", cancelled.get(id), units);
    }
    return new AuditClient.View(shipped.contains(id) ? "SHIPPED" : "OPEN", null, units);
  }

  private void placed(String orderId, OrderPlaced event) {
    if (event == null || event.getLinesCount() == 0 || !event.hasTotal()) {
      notOrders++;
      return;
    }
    Map<String, Long> units = new HashMap<>();
    for (OrderLine line : event.getLinesList()) {
      units.merge(skus.computeIfAbsent(line.getSku(), sku -> sku), (long) line.getQuantity(), Long::sum);
    }
    orders.putIfAbsent(orderId, Map.copyOf(units));
  }

  private void cancelled(String orderId, OrderCancelled event) {
    // The view shows the reason's name; no reason (the enum's zero) is not "CANCELLED with a reason".
    boolean reason = event != null && event.getReasonValue() > 0
        && event.getReason() != CancellationReason.UNRECOGNIZED;
    cancelled.putIfAbsent(orderId, reason ? event.getReason().name() : null);
  }

  @Override
  public void close() throws Exception {
    passes.shutdownNow();
    try (placedScan; cancelledScan; shippedScan) {
      // closes each connection, also when one fails to close
    }
  }
}
