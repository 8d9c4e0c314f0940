package dev.orderflow.orders;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orderflow.orders.stored.IndexedStatus;
import dev.orderflow.orders.stored.OrderSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The orders' read model: every order as listed (customer, when placed, total, how far it has come), with the keys
 * {@code GET /orders} pages through, in H2's MVStore (an embedded, persistent B-tree store) under the data folder.
 * It is kept from the events by {@link OrderIndexFeed} and holds nothing else: losing it costs a replay.
 *
 * <p>Maps, each from a key to the order's {@link OrderSummary}: {@code byCustomer} ({@code <customer>/<sortKey>}) and
 * {@code byStatus} ({@code <status>/<sortKey>}, where OPEN holds the orders not yet shipped or cancelled, so that an
 * operator's "unfinished, oldest first" reads only those), where a sort key is the placing time in milliseconds,
 * zero-padded, then the order id: a page is a range read, and an order is written in two places, no more. Besides:
 * {@code early} (the end of an order whose placing was not read yet: the feeds are separate), {@code meta} (how far
 * each feed has read, and which streams it read them from). An end names the order's placing time, so it finds the
 * order's OPEN entry by its key: nothing is kept in memory per open order (while the saga is stopped, open orders
 * pile up by the million, and the collector would copy each of them about).
 *
 * <p>Changes are gathered in memory ({@link #placed}, {@link #ended}) and written by {@link #flush}: an order placed
 * and shipped between two flushes, as most are, is written once, in its final state. A reader sees what was
 * flushed. Updates are idempotent, so a feed may replay what it applied. One thread writes (under this object's
 * lock); any may read.
 */
final class OrderIndex implements AutoCloseable {

  /** One listed order, as the index has it. */
  record Entry(String orderId, String sortKey, OrderSummary summary) {}

  /** A scan: whose orders, which indexed statuses, the placing-time range, the direction, and where to go on. */
  record Scan(String customerId, Set<IndexedStatus> statuses, long fromMillis, long toMillis, boolean newestFirst,
      String after) {}

  private static final int ID_OFFSET = 13;
  private static final String SEPARATOR = "/";
  /** How long MVStore gathers changes before writing them to its file (a crash replays them from the streams). */
  private static final int WRITE_DELAY_MILLIS = 5_000;

  private final MVStore store;
  private final MVMap<String, byte[]> byCustomer;
  private final MVMap<String, byte[]> byStatus;
  private final MVMap<String, byte[]> early;
  private final MVMap<String, String> meta;
  /** Changes not yet written, by order id. */
  private final Map<String, OrderSummary> pending = new LinkedHashMap<>();

  private OrderIndex(MVStore store) {
    this.store = store;
    this.byCustomer = store.openMap("byCustomer", new MVMap.Builder<String, byte[]>().singleWriter()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    this.byStatus = store.openMap("byStatus", new MVMap.Builder<String, byte[]>().singleWriter()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    this.early = store.openMap("early", new MVMap.Builder<String, byte[]>().singleWriter()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    this.meta = store.openMap("meta", new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE).valueType(StringDataType.INSTANCE));
  }

  /** Opens (or creates) the index in {@code file}; in memory when {@code file} is null. Blocking. */
  static OrderIndex open(Path file, int cacheMegabytes) {
    MVStore.Builder builder = new MVStore.Builder().cacheSize(cacheMegabytes);
    if (file != null) {
      builder.fileName(file.toString());
    }
    MVStore store = builder.open();
    store.setAutoCommitDelay(WRITE_DELAY_MILLIS);
    return new OrderIndex(store);
  }

  /** An order was placed; written with whatever end was read before it. */
  synchronized void placed(String orderId, String customerId, long placedAtMillis, long totalMinor, String currency) {
    OrderSummary known = pending.get(orderId);
    if (known != null && known.getPlacedAtMillis() != 0) {
      return; // replayed (one already written is found by the flush)
    }
    if (known == null && !early.isEmpty()) {
      byte[] ended = early.get(orderId);
      known = ended == null ? null : parse(orderId, ended);
    }
    pending.put(orderId, (known == null ? OrderSummary.newBuilder().setUpdatedAtMillis(placedAtMillis)
        : known.toBuilder())
        .setCustomerId(customerId)
        .setPlacedAtMillis(placedAtMillis)
        .setTotalMinor(totalMinor)
        .setCurrency(currency)
        .build());
  }

  /**
   * An order placed at {@code placedAtMillis} reached a terminal status; the first one recorded stands (a terminal
   * status never changes).
   */
  synchronized void ended(String orderId, long placedAtMillis, IndexedStatus status, int cancellationReason,
      long atMillis) {
    OrderSummary known = pending.get(orderId);
    if (known == null) {
      byte[] bytes = byStatus.get(statusKey(IndexedStatus.OPEN, sortKey(placedAtMillis, orderId)));
      known = bytes == null ? null : parse(orderId, bytes);
    }
    if (known != null && known.getStatus() != IndexedStatus.OPEN) {
      return;
    }
    pending.put(orderId, (known == null ? OrderSummary.newBuilder() : known.toBuilder())
        .setStatus(status)
        .setCancellationReason(cancellationReason)
        .setUpdatedAtMillis(atMillis)
        .build());
  }

  /**
   * Writes the changes gathered since the last flush, in key order: consecutive writes then fall on the same pages
   * of each B-tree (a customer's new orders sit side by side; new keys by status all at the end of their range),
   * instead of one descent per order to a page chosen at random. What {@code byCustomer} held before tells the rest:
   * nothing (a replay of what is written: leave it), an OPEN entry (the order ended: replace it) or none (new).
   */
  synchronized void flush() {
    List<Write> writes = new ArrayList<>(pending.size());
    for (Map.Entry<String, OrderSummary> change : pending.entrySet()) {
      String orderId = change.getKey();
      OrderSummary summary = change.getValue();
      if (summary.getPlacedAtMillis() == 0) {
        early.put(orderId, summary.toByteArray()); // its placing comes through another feed, later
        continue;
      }
      String sortKey = sortKey(summary.getPlacedAtMillis(), orderId);
      writes.add(new Write(orderId, summary, summary.getCustomerId() + SEPARATOR + sortKey,
          statusKey(summary.getStatus(), sortKey), sortKey, summary.toByteArray()));
    }
    pending.clear();
    writes.sort(Comparator.comparing(Write::customerKey));
    List<Write> written = new ArrayList<>(writes.size());
    List<String> superseded = new ArrayList<>();
    for (Write write : writes) {
      boolean ends = write.summary().getStatus() != IndexedStatus.OPEN;
      byte[] before = ends ? byCustomer.put(write.customerKey(), write.value())
          : byCustomer.putIfAbsent(write.customerKey(), write.value());
      IndexedStatus was = before == null ? null : parse(write.orderId(), before).getStatus();
      if (was == null) {
        written.add(write);
      } else if (was == IndexedStatus.OPEN && ends) {
        written.add(write);
        superseded.add(statusKey(IndexedStatus.OPEN, write.sortKey()));
      } else if (ends) {
        byCustomer.put(write.customerKey(), before); // replayed: the first end stands
      }
    }
    written.sort(Comparator.comparing(Write::statusKey));
    for (Write write : written) {
      byStatus.put(write.statusKey(), write.value());
    }
    superseded.forEach(byStatus::remove);
    if (!early.isEmpty()) {
      written.forEach(write -> early.remove(write.orderId()));
    }
  }

  /** One order's entries as a flush writes them. */
  private record Write(String orderId, OrderSummary summary, String customerKey, String statusKey, String sortKey,
      byte[] value) {}

  /**
   * Up to {@code max} orders of {@code scan}, in its order, after its position; fewer when the range ends. Scans
   * across customers merge the status ranges it asks for, so that each entry is found by a range read.
   */
  List<Entry> scan(Scan scan, int max) {
    List<Cursor<String, byte[]>> ranges = new ArrayList<>();
    if (scan.customerId() != null) {
      ranges.add(range(byCustomer, scan.customerId() + SEPARATOR, scan));
    } else {
      for (IndexedStatus status : scan.statuses()) {
        ranges.add(range(byStatus, statusPrefix(status), scan));
      }
    }
    Comparator<String> order = scan.newestFirst() ? Comparator.reverseOrder() : Comparator.naturalOrder();
    int cut = scan.customerId() != null ? scan.customerId().length() + 1 : 2;
    List<String> heads = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (Cursor<String, byte[]> range : ranges) {
      boolean any = range != null && range.hasNext();
      heads.add(any ? range.next().substring(cut) : null);
      values.add(any ? range.getValue() : null);
    }
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
      OrderSummary summary = parse(sortKey, values.get(next));
      Cursor<String, byte[]> range = ranges.get(next);
      heads.set(next, range.hasNext() ? range.next().substring(cut) : null);
      values.set(next, range.getValue());
      if (scan.customerId() == null || scan.statuses().contains(summary.getStatus())) {
        found.add(new Entry(sortKey.substring(ID_OFFSET), sortKey, summary));
      }
    }
    return found;
  }

  /** One map's entries under {@code prefix}, within the scan's times, after its position; null when none. */
  private static Cursor<String, byte[]> range(MVMap<String, byte[]> map, String prefix, Scan scan) {
    // Bounds: low is below every key of the first millisecond, high below every key of the last (excluded) one.
    String low = prefix + pad(scan.fromMillis());
    String high = prefix + pad(scan.toMillis());
    String from;
    String to;
    if (scan.newestFirst()) {
      from = map.lowerKey(scan.after() == null ? high : min(high, prefix + scan.after()));
      to = low;
      if (from == null || from.compareTo(low) < 0) {
        return null;
      }
    } else {
      from = map.ceilingKey(low);
      if (from != null && scan.after() != null) {
        String past = map.higherKey(prefix + scan.after());
        from = past == null ? null : max(from, past);
      }
      to = map.lowerKey(high);
      if (from == null || to == null || from.compareTo(to) > 0) {
        return null;
      }
    }
    return map.cursor(from, to, scan.newestFirst());
  }

  /** How far feed {@code name} has applied its stream (recorded with the flush that wrote what it applied). */
  long applied(String name) {
    String value = meta.get("applied:" + name);
    return value == null ? 0 : Long.parseLong(value);
  }

  void applied(String name, long sequence) {
    meta.put("applied:" + name, Long.toString(sequence));
  }

  /** The incarnation (creation time) of {@code stream} the index was made from, or {@code null}. */
  String source(String stream) {
    return meta.get("source:" + stream);
  }

  void source(String stream, String identity) {
    meta.put("source:" + stream, identity);
  }

  /** Forgets everything: the streams it was made from are gone (made anew, or another server's). */
  synchronized void clear() {
    byCustomer.clear();
    byStatus.clear();
    early.clear();
    meta.clear();
    pending.clear();
  }

  /** How many orders are indexed (flushed). */
  long size() {
    return byCustomer.sizeAsLong();
  }

  /** Writes what was flushed to the file now (the store also does so by itself every few seconds). */
  void commit() {
    store.commit();
  }

  @Override
  public synchronized void close() {
    flush();
    store.close();
  }

  static String sortKey(long placedAtMillis, String orderId) {
    return pad(placedAtMillis) + orderId;
  }

  private static String statusPrefix(IndexedStatus status) {
    return status.getNumber() + SEPARATOR;
  }

  private static String statusKey(IndexedStatus status, String sortKey) {
    return statusPrefix(status) + sortKey;
  }

  private static OrderSummary parse(String key, byte[] bytes) {
    try {
      return OrderSummary.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt summary " + key + " in the order index", e);
    }
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
