package dev.orderflow.orders;

import com.google.protobuf.Message;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockReserved;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.Topology;
import dev.orderflow.orders.stored.IndexedStatus;
import dev.orderflow.orders.stored.OrderSummary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /orders}: pages of the {@link OrderIndex}, filtered by status and placing time. An order the index has
 * not yet seen shipped or cancelled has its step (pending, reserved, paid, confirmed, or by now ended) read from the
 * streams, in one batched read per stream for the whole page, so that a list never shows a step older than the
 * order's own view would.
 *
 * <p>A page ends after {@code limit} orders, or after the scan has read {@value #SCAN_BUDGET} entries of the index
 * (a filter that few orders pass): either way the answer says where to go on, so that no request costs more than a
 * bounded amount of work.
 */
final class OrderListing {

  /**
   * One request: whose orders ({@code null}: every customer's), which statuses (empty: any), placed within
   * [{@code placedFrom}, {@code placedTo}), newest or oldest first, after {@code after} (a position, or null).
   */
  record Query(String customerId, Set<OrderStatus> statuses, Instant placedFrom, Instant placedTo,
      boolean newestFirst, int limit, String after) {}

  /** One order as listed. */
  record Listed(String orderId, String customerId, OrderStatus status, CancellationReason reason, long totalMinor,
      String currency, Instant placedAt, Instant updatedAt) {}

  /** A page, and the position to go on from ({@code null} after the last). */
  record Page(List<Listed> orders, String next) {}

  /**
   * The most entries of the index read per step of a scan. A scan starts with one page's worth (and one to tell
   * whether there is more), and doubles its step while a filter drops entries: every open entry read costs a read of
   * its step from the streams, so a page of 20 should not settle 200.
   */
  private static final int CHUNK = 200;
  /** The most entries one request reads from the index. */
  static final int SCAN_BUDGET = 5_000;

  private final Vertx vertx;
  private final OrderIndex index;
  private final EventLog log;

  OrderListing(Vertx vertx, OrderIndex index, EventLog log) {
    this.vertx = vertx;
    this.index = index;
    this.log = log;
  }

  Future<Page> list(Query query) {
    OrderIndex.Scan scan = new OrderIndex.Scan(query.customerId(), indexed(query.statuses()),
        query.placedFrom() == null ? 0 : query.placedFrom().toEpochMilli(),
        query.placedTo() == null ? Long.MAX_VALUE : query.placedTo().toEpochMilli(), query.newestFirst(),
        query.after());
    return step(query, scan, new ArrayList<>(), 0, Math.min(CHUNK, query.limit() + 1));
  }

  /** Reads a chunk of the index, settles its open orders' steps, keeps those that pass, and goes on if need be. */
  private Future<Page> step(Query query, OrderIndex.Scan scan, List<Listed> page, int scanned, int chunk) {
    int want = Math.min(chunk, SCAN_BUDGET - scanned);
    // Unordered: one slow scan (pages read from the file) need not hold the lists behind it on this event loop.
    Future<List<OrderIndex.Entry>> chunkRead = vertx.executeBlocking(() -> index.scan(scan, want), false);
    return chunkRead.compose(entries -> settle(entries).compose(listed -> {
      String position = null;
      for (int i = 0; i < listed.size(); i++) {
        Listed order = listed.get(i);
        position = entries.get(i).sortKey();
        if (order != null && (query.statuses().isEmpty() || query.statuses().contains(order.status()))) {
          page.add(order);
          if (page.size() == query.limit()) {
            boolean more = i < listed.size() - 1 || entries.size() == want;
            return Future.succeededFuture(new Page(page, more ? position : null));
          }
        }
      }
      int read = scanned + entries.size();
      if (entries.size() < want) {
        return Future.succeededFuture(new Page(page, null)); // the range ended
      }
      if (read >= SCAN_BUDGET) {
        return Future.succeededFuture(new Page(page, position));
      }
      OrderIndex.Scan onward = new OrderIndex.Scan(scan.customerId(), scan.statuses(), scan.fromMillis(),
          scan.toMillis(), scan.newestFirst(), position);
      return step(query, onward, page, read, Math.min(CHUNK, chunk * 2));
    }));
  }

  /** Each entry as listed; an open one with its step read from the streams ({@code null}: not an order to list). */
  private Future<List<Listed>> settle(List<OrderIndex.Entry> entries) {
    List<Future<Listed>> listed = new ArrayList<>(entries.size());
    for (OrderIndex.Entry entry : entries) {
      OrderSummary summary = entry.summary();
      Instant placedAt = Instant.ofEpochMilli(summary.getPlacedAtMillis());
      if (summary.getStatus() == IndexedStatus.OPEN) {
        listed.add(current(entry.orderId(), summary, placedAt));
      } else {
        listed.add(Future.succeededFuture(listed(entry.orderId(), summary, placedAt,
            summary.getStatus() == IndexedStatus.SHIPPED ? OrderStatus.SHIPPED : OrderStatus.CANCELLED,
            summary.getStatus() == IndexedStatus.CANCELLED
                ? CancellationReason.forNumber(summary.getCancellationReason()) : null,
            Instant.ofEpochMilli(summary.getUpdatedAtMillis()))));
      }
    }
    return Future.all(listed).map(all -> listed.stream().map(Future::result).toList());
  }

  /** An open order's step now, from the last event of each stream (the lookups of one page share a request each). */
  private Future<Listed> current(String orderId, OrderSummary summary, Instant placedAt) {
    Future<Recorded<?>> shipping = log.last(Topology.SHIPMENT_SCHEDULED, orderId);
    Future<Recorded<?>> orders = log.last(Topology.ORDER_CONFIRMED, orderId);
    Future<Recorded<?>> payments = log.last(Topology.PAYMENT_AUTHORIZED, orderId);
    Future<Recorded<?>> inventory = log.last(Topology.STOCK_RESERVED, orderId);
    return Future.all(shipping, orders, payments, inventory).map(all -> {
      Message shipped = event(shipping);
      Message decided = event(orders);
      Message paid = event(payments);
      Message reserved = event(inventory);
      if (shipped instanceof ShipmentScheduled s) {
        return listed(orderId, summary, placedAt, OrderStatus.SHIPPED, null, EventTime.toInstant(s.getOccurredAt()));
      }
      if (decided instanceof OrderCancelled c && Topology.ORDER_CANCELLED.sound(c)) {
        return listed(orderId, summary, placedAt, OrderStatus.CANCELLED, c.getReason(),
            EventTime.toInstant(c.getOccurredAt()));
      }
      if (decided instanceof OrderConfirmed c) {
        return listed(orderId, summary, placedAt, OrderStatus.CONFIRMED, null, EventTime.toInstant(c.getOccurredAt()));
      }
      if (paid instanceof PaymentAuthorized p) {
        return listed(orderId, summary, placedAt, OrderStatus.PAID, null, EventTime.toInstant(p.getOccurredAt()));
      }
      if (reserved instanceof StockReserved r) {
        return listed(orderId, summary, placedAt, OrderStatus.RESERVED, null, EventTime.toInstant(r.getOccurredAt()));
      }
      return listed(orderId, summary, placedAt, OrderStatus.PENDING, null, placedAt);
    });
  }

  private static Message event(Future<Recorded<?>> read) {
    return read.result() == null ? null : read.result().event();
  }

  private static Listed listed(String orderId, OrderSummary summary, Instant placedAt, OrderStatus status,
      CancellationReason reason, Instant updatedAt) {
    return new Listed(orderId, summary.getCustomerId(), status, reason, summary.getTotalMinor(), summary.getCurrency(),
        placedAt, updatedAt.isBefore(placedAt) ? placedAt : updatedAt);
  }

  /** The index's statuses an order of {@code statuses} may have (an open order may have ended since it was indexed). */
  private static Set<IndexedStatus> indexed(Set<OrderStatus> statuses) {
    Set<IndexedStatus> indexed = EnumSet.of(IndexedStatus.OPEN);
    if (statuses.isEmpty() || statuses.contains(OrderStatus.SHIPPED)) {
      indexed.add(IndexedStatus.SHIPPED);
    }
    if (statuses.isEmpty() || statuses.contains(OrderStatus.CANCELLED)) {
      indexed.add(IndexedStatus.CANCELLED);
    }
    return indexed;
  }
}
