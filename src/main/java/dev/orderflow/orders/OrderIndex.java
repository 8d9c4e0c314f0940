package dev.orderflow.orders;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orderflow.orders.stored.IndexedStatus;
import dev.orderflow.orders.stored.OrderSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The orders' read model: every order as listed (customer, when placed, total, how far it has come), with the keys
 * {@code GET /orders} pages through, in H2's MVStore (an embedded, persistent B-tree store) under the data folder.
 * It is kept from the events by {@link OrderIndexFeed} and holds nothing else: losing it costs a replay.
 *
 * <p>Maps: {@code orders} (order id → {@link OrderSummary}); {@code byCustomer} ({@code <customer>/<sortKey>});
 * {@code byStatus} ({@code <status>/<sortKey>}, where OPEN holds the orders not yet shipped or cancelled, so that an
 * operator's "not terminal, oldest first" reads only those); {@code meta} (how far each feed has read, and which
 * streams it read them from). A sort key is the placing time in milliseconds, zero-padded, then the order id: keys
 * sort by time, and an order's position is a key. Updates are idempotent, so a feed may replay what it applied.
 *
 * <p>MVStore maps are safe for concurrent use; one thread writes (the feed), any reads.
 */
final class OrderIndex implements AutoCloseable {

  /** One listed order, as the index has it. */
  record Entry(String orderId, String sortKey, OrderSummary summary) {}

  /** A scan: whose orders, which indexed statuses, the placing-time range, the direction, and where to go on. */
  record Scan(String customerId, Set<IndexedStatus> statuses, long fromMillis, long toMillis, boolean newestFirst,
      String after) {}

  private static final int ID_OFFSET = 13;
  private static final String SEPARATOR = "/";

  private final MVStore store;
  private final MVMap<String, byte[]> orders;
  private final MVMap<String, String> byCustomer;
  private final MVMap<String, String> byStatus;
  private final MVMap<String, String> meta;

  private OrderIndex(MVStore store) {
    this.store = store;
    this.orders = store.openMap("orders");
    this.byCustomer = store.openMap("byCustomer");
    this.byStatus = store.openMap("byStatus");
    this.meta = store.openMap("meta");
  }

  /** Opens (or creates) the index in {@code file}; in memory when {@code file} is null. Blocking. */
  static OrderIndex open(Path file, int cacheMegabytes) {
    MVStore.Builder builder = new MVStore.Builder().cacheSize(cacheMegabytes);
    if (file != null) {
      builder.fileName(file.toString());
    }
    return new OrderIndex(builder.open());
  }

  /** An order was placed. Its index keys are made now, with whatever status a feed recorded before. */
  void placed(String orderId, String customerId, long placedAtMillis, long totalMinor, String currency) {
    OrderSummary known = summary(orderId);
    if (known != null && known.getPlacedAtMillis() != 0) {
      return; // replayed
    }
    OrderSummary summary = (known == null ? OrderSummary.newBuilder().setUpdatedAtMillis(placedAtMillis)
        : known.toBuilder())
        .setCustomerId(customerId)
        .setPlacedAtMillis(placedAtMillis)
        .setTotalMinor(totalMinor)
        .setCurrency(currency)
        .build();
    String sortKey = sortKey(placedAtMillis, orderId);
    orders.put(orderId, summary.toByteArray());
    byCustomer.put(customerId + SEPARATOR + sortKey, "");
    byStatus.put(statusKey(summary.getStatus(), sortKey), "");
  }

  /** An order reached a terminal status; the first one recorded stands (a terminal status never changes). */
  void ended(String orderId, IndexedStatus status, int cancellationReason, long atMillis) {
    OrderSummary known = summary(orderId);
    if (known != null && known.getStatus() != IndexedStatus.OPEN) {
      return;
    }
    OrderSummary summary = (known == null ? OrderSummary.newBuilder() : known.toBuilder())
        .setStatus(status)
        .setCancellationReason(cancellationReason)
        .setUpdatedAtMillis(atMillis)
        .build();
    orders.put(orderId, summary.toByteArray());
    if (known != null && known.getPlacedAtMillis() != 0) {
      String sortKey = sortKey(known.getPlacedAtMillis(), orderId);
      byStatus.remove(statusKey(IndexedStatus.OPEN, sortKey));
      byStatus.put(statusKey(status, sortKey), "");
    }
  }

  /** The order as indexed, or {@code null}. */
  OrderSummary summary(String orderId) {
    byte[] bytes = orders.get(orderId);
    if (bytes == null) {
      return null;
    }
    try {
      return OrderSummary.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt summary of order " + orderId + " in the order index", e);
    }
  }

  /**
   * Up to {@code max} orders of {@code scan}, in its order, after its position; fewer when the range ends. Scans
   * across customers merge the status ranges it asks for, so that each entry is found by a range read.
   */
  List<Entry> scan(Scan scan, int max) {
    List<Iterator<String>> ranges = new ArrayList<>();
    if (scan.customerId() != null) {
      ranges.add(range(byCustomer, scan.customerId() + SEPARATOR, scan));
    } else {
      for (IndexedStatus status : scan.statuses()) {
        ranges.add(range(byStatus, status.getNumber() + SEPARATOR, scan));
      }
    }
    Comparator<String> order = scan.newestFirst() ? Comparator.reverseOrder() : Comparator.naturalOrder();
    List<String> heads = new ArrayList<>();
    ranges.forEach(range -> heads.add(range.hasNext() ? range.next() : null));
    List<Entry> found = new ArrayList<>();
    while (found.size() < max) {
      int next = -1;
      for (int i = 0; i < heads.size(); i++) {
        if (heads.get(i) != null && (next < 0 || order.compare(heads.get(i), heads.get(next)) < 0)) {
          next = i;
        }
      }
      if (next < 0) {
        break;
      }
      String sortKey = heads.get(next);
      heads.set(next, ranges.get(next).hasNext() ? ranges.get(next).next() : null);
      String orderId = sortKey.substring(ID_OFFSET);
      OrderSummary summary = summary(orderId);
      if (summary != null && (scan.customerId() == null || scan.statuses().contains(summary.getStatus()))) {
        found.add(new Entry(orderId, sortKey, summary));
      }
    }
    return found;
  }

  /** The sort keys of one map's range under {@code prefix}, within the scan's times, after its position. */
  private static Iterator<String> range(MVMap<String, String> map, String prefix, Scan scan) {
    // Bounds: low is below every key of the first millisecond, high below every key of the last (excluded) one.
    String low = prefix + pad(scan.fromMillis());
    String high = prefix + pad(scan.toMillis());
    String from;
    String to;
    if (scan.newestFirst()) {
      from = map.lowerKey(scan.after() == null ? high : min(high, prefix + scan.after()));
      to = low;
      if (from == null || from.compareTo(low) < 0) {
        return List.<String>of().iterator();
      }
    } else {
      from = map.ceilingKey(low);
      if (from != null && scan.after() != null) {
        String past = map.higherKey(prefix + scan.after());
        from = past == null ? null : max(from, past);
      }
      to = map.lowerKey(high);
      if (from == null || to == null || from.compareTo(to) > 0) {
        return List.<String>of().iterator();
      }
    }
    Cursor<String, String> cursor = map.cursor(from, to, scan.newestFirst());
    int cut = prefix.length();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return cursor.hasNext();
      }

      @Override
      public String next() {
        return cursor.next().substring(cut);
      }
    };
  }

  /** How far feed {@code name} has applied its stream, and the stream it read it from (its creation time). */
  long applied(String name) {
    String value = meta.get("applied:" + name);
    return value == null ? 0 : Long.parseLong(value);
  }

  void applied(String name, long sequence) {
    meta.put("applied:" + name, Long.toString(sequence));
  }

  String source(String stream) {
    return meta.get("source:" + stream);
  }

  void source(String stream, String identity) {
    meta.put("source:" + stream, identity);
  }

  /** Forgets everything: the streams it was made from are gone (made anew, or another server's). */
  void clear() {
    orders.clear();
    byCustomer.clear();
    byStatus.clear();
    meta.clear();
  }

  /** How many orders are indexed. */
  long size() {
    return orders.sizeAsLong();
  }

  /** Writes what changed to the file now (the store also does so by itself about every second). */
  void commit() {
    store.commit();
  }

  @Override
  public void close() {
    store.close();
  }

  static String sortKey(long placedAtMillis, String orderId) {
    return pad(placedAtMillis) + orderId;
  }

  private static String statusKey(IndexedStatus status, String sortKey) {
    return status.getNumber() + SEPARATOR + sortKey;
  }

  private static String pad(long millis) {
    String digits = Long.toString(Math.max(0, Math.min(millis, 9_999_999_999_999L)));
    return "0".repeat(ID_OFFSET - digits.length()) + digits;
  }

  private static String min(String a, String b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String max(String a, String b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
