package dev.orderflow.orders;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orderflow.orders.stored.IndexedStatus;
import dev.orderflow.orders.stored.OrderSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.Priority;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The orders' read model: every order as listed (customer, when placed, total, how far it has come), with the keys
 * {@code GET /orders} pages through, in RocksDB (an embedded, persistent log-structured key-value store) in a folder
 * under the data folder. It is kept from the events by {@link OrderIndexFeed} and holds nothing else: losing it costs
 * a replay. Why RocksDB: docs/adr/0008-order-index-store.md.
 *
 * <p>Keys, each to the order's {@link OrderSummary}: {@code c/<customer>/<sortKey>} and {@code s/<status>/<sortKey>}
 * (where OPEN holds the orders not yet shipped or cancelled, so that an operator's "unfinished, oldest first" reads
 * only those), where a sort key is the placing time in milliseconds, zero-padded, then the order id: a page is a
 * range read, and an order is written in two places, no more. The status keys have a column family of their own
 * (see {@link #STATUS_FAMILY}). Besides: {@code e/<orderId>} (the end of an order whose placing was not read yet:
 * the feeds are separate), {@code m/<name>} (how far each feed has read, and which streams it read them from). An
 * end names the order's placing time, so it finds the order's OPEN entry by its key: nothing is kept in memory per
 * open order.
 *
 * <p>Changes are gathered in memory ({@link #placed}, {@link #ended}) and written by {@link #flush} in one atomic
 * batch with how far the feeds had read: an order placed and shipped between two flushes, as most are, is written
 * once, in its final state. Writes skip RocksDB's write-ahead log: a crash loses the writes since its last memtable
 * flush (both families' memtables are flushed together) and the checkpoints with them, so the feeds replay exactly
 * what is missing, and an event is never applied on top of its own write (the feeds record each checkpoint with the
 * change it covers, under this object's lock). Within one flush, an event read twice changes nothing. A reader sees
 * what was flushed. One thread writes (under this object's lock); any may read.
 */
final class OrderIndex implements AutoCloseable {

  static {
    RocksDB.loadLibrary();
    // Compactions are the index's own housekeeping: at the lowest CPU priority they wait for the event loops and
    // NATS rather than lengthen a request's tail. Flushes (memtable to file) keep theirs, so writes never queue.
    Env.getDefault().lowerThreadPoolCPUPriority(Priority.LOW);
  }

  /** One listed order, as the index has it. */
  record Entry(String orderId, String sortKey, OrderSummary summary) {}

  /** A scan: whose orders, which indexed statuses, the placing-time range, the direction, and where to go on. */
  record Scan(String customerId, Set<IndexedStatus> statuses, long fromMillis, long toMillis, boolean newestFirst,
      String after) {}

  private static final int ID_OFFSET = 13;
  private static final String SEPARATOR = "/";
  private static final String BY_CUSTOMER = "c/";
  private static final String BY_STATUS = "s/";
  private static final String EARLY = "e/";
  private static final String META = "m/";
  /** Past every key: {@link #clear} deletes up to it. */
  private static final byte[] END = {(byte) 0xff};
  /**
   * What each column family's memtables may hold before they are written to files (two of them: one filling, one
   * being written).
   */
  private static final long WRITE_BUFFER_BYTES = 32L << 20;

  /**
   * The column family of the status keys ({@code s/}); the others live in the default one. Apart, because the two
   * kinds are written so differently: the keys of one status arrive in time order, so RocksDB mostly moves their
   * files down the levels without rewriting them, while customer keys fall all over the key space and are merged at
   * every compaction. In one family every file spans both kinds, and each compaction rewrote the status keys with the
   * customer keys.
   */
  private static final byte[] STATUS_FAMILY = "by-status".getBytes(StandardCharsets.US_ASCII);

  private final RocksDB db;
  private final ColumnFamilyHandle defaultFamily;
  private final ColumnFamilyHandle statusFamily;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions familyOptions;
  private final WriteBufferManager writeBuffers;
  private final LRUCache cache;
  private final WriteOptions writes = new WriteOptions().setDisableWAL(true);
  /** Changes not yet written, by order id. */
  private final Map<String, OrderSummary> pending = new LinkedHashMap<>();
  /** Checkpoints not yet written, written with the changes of the next flush. */
  private final Map<String, String> pendingMeta = new HashMap<>();
  /** Whether an early end may be stored: most of the time none is, and a placing need not look. */
  private boolean anyEarly;
  /** The pending orders whose end was stored early: the flush deletes it. */
  private final Set<String> fromEarly = new HashSet<>();
  /** The pending orders that ended after their OPEN entry was written: the flush deletes it. */
  private final Set<String> openWritten = new HashSet<>();

  private OrderIndex(RocksDB db, List<ColumnFamilyHandle> families, DBOptions dbOptions,
      ColumnFamilyOptions familyOptions, WriteBufferManager writeBuffers, LRUCache cache) {
    this.db = db;
    this.defaultFamily = families.get(0);
    this.statusFamily = families.get(1);
    this.dbOptions = dbOptions;
    this.familyOptions = familyOptions;
    this.writeBuffers = writeBuffers;
    this.cache = cache;
    this.anyEarly = any(EARLY);
  }

  /**
   * Opens (or creates) the index in folder {@code dir}. Blocking. Throws when the folder holds an index of the
   * earlier layout (one column family): it is a copy of the streams, to be made anew.
   */
  static OrderIndex open(Path dir, int cacheMegabytes) throws RocksDBException {
    if (Files.exists(dir.resolve("CURRENT"))) {
      try (Options probe = new Options()) {
        List<byte[]> families = RocksDB.listColumnFamilies(probe, dir.toString());
        if (families.stream().noneMatch(family -> Arrays.equals(family, STATUS_FAMILY))) {
          throw new RocksDBException("an order index of an earlier layout (no column family by-status)");
        }
      }
    }
    LRUCache cache = new LRUCache((long) cacheMegabytes << 20);
    WriteBufferManager writeBuffers = new WriteBufferManager(2 * WRITE_BUFFER_BYTES, cache);
    DBOptions dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // Both families' memtables are written to files together: the checkpoints (in the default family) then
        // never outlive, nor lag, the status keys they cover, though nothing is written ahead to a log.
        .setAtomicFlush(true)
        // What the memtables may hold together before they are written out: as much as each family's own limit
        // allows (a smaller sum made the customer keys' files smaller and their compactions more frequent). Charged
        // to the block cache, so that memtables and cached blocks share one budget of native memory.
        .setWriteBufferManager(writeBuffers)
        .setMaxBackgroundJobs(2)
        // Its own log of flushes and compactions: warnings only, in one small file.
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(1);
    ColumnFamilyOptions familyOptions = new ColumnFamilyOptions()
        .setWriteBufferSize(WRITE_BUFFER_BYTES)
        .setMaxWriteBufferNumber(2)
        // Uncompressed: a list reads a few blocks, and decompressing them cost more than the disk saves.
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig()
            .setBlockCache(cache)
            // An end looks up its order's OPEN entry by key: the filter answers most lookups without a read.
            .setFilterPolicy(new BloomFilter(10)));
    List<ColumnFamilyHandle> families = new ArrayList<>(2);
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
          new ColumnFamilyDescriptor(STATUS_FAMILY, familyOptions)), families);
      return new OrderIndex(db, families, dbOptions, familyOptions, writeBuffers, cache);
    } catch (RocksDBException e) {
      familyOptions.close();
      dbOptions.close();
      writeBuffers.close();
      cache.close();
      throw e;
    }
  }

  /** An order was placed; written with whatever end was read before it. */
  synchronized void placed(String orderId, String customerId, long placedAtMillis, long totalMinor, String currency) {
    OrderSummary known = pending.get(orderId);
    if (known != null && known.getPlacedAtMillis() != 0) {
      return; // read twice before one flush
    }
    if (known == null && anyEarly) {
      byte[] ended = get(EARLY + orderId);
      known = ended == null ? null : parse(orderId, ended);
      if (known != null) {
        fromEarly.add(orderId);
      }
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
      byte[] bytes = get(statusKey(IndexedStatus.OPEN, sortKey(placedAtMillis, orderId)));
      known = bytes == null ? null : parse(orderId, bytes);
      if (known != null) {
        openWritten.add(orderId);
      }
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
   * Writes the changes gathered since the last flush, and the checkpoints recorded since, in one batch, in key order
   * (RocksDB's memtable takes keys in order at a fraction of the cost of keys at random). The feed records its
   * checkpoints with the changes they cover (see {@link OrderIndexFeed}), so a restart never reads again an event
   * whose change was written: nothing needs reading here.
   */
  synchronized void flush() {
    if (pending.isEmpty() && pendingMeta.isEmpty()) {
      return;
    }
    // By prefix, each sorted on its own: the status keys come nearly in order already (orders are read in the order
    // they were placed), which the sort passes through at little cost; the customer keys do not.
    List<Put> customers = new ArrayList<>(pending.size());
    List<Put> statuses = new ArrayList<>(pending.size());
    List<Put> others = new ArrayList<>();
    for (Map.Entry<String, OrderSummary> change : pending.entrySet()) {
      String orderId = change.getKey();
      OrderSummary summary = change.getValue();
      byte[] value = summary.toByteArray();
      if (summary.getPlacedAtMillis() == 0) {
        others.add(new Put(bytes(EARLY + orderId), value)); // its placing comes through another feed, later
        anyEarly = true;
        continue;
      }
      String sortKey = sortKey(summary.getPlacedAtMillis(), orderId);
      customers.add(new Put(bytes(BY_CUSTOMER + summary.getCustomerId() + SEPARATOR + sortKey), value));
      statuses.add(new Put(bytes(statusKey(summary.getStatus(), sortKey)), value));
      if (openWritten.contains(orderId)) {
        statuses.add(new Put(bytes(statusKey(IndexedStatus.OPEN, sortKey)), null));
      } else if (fromEarly.contains(orderId)) {
        others.add(new Put(bytes(EARLY + orderId), null));
      }
    }
    pendingMeta.forEach((name, value) -> others.add(new Put(bytes(META + name), bytes(value))));
    try (WriteBatch batch = new WriteBatch()) {
      for (List<Put> group : List.of(customers, others, statuses)) { // c/, then e/ and m/, then s/
        group.sort(Put.ORDER);
        ColumnFamilyHandle family = group == statuses ? statusFamily : defaultFamily;
        for (Put put : group) {
          if (put.value() == null) {
            batch.delete(family, put.key());
          } else {
            batch.put(family, put.key(), put.value());
          }
        }
      }
      db.write(writes, batch);
      pending.clear();
      pendingMeta.clear();
      fromEarly.clear();
      openWritten.clear();
    } catch (RocksDBException e) {
      throw new IllegalStateException("the order index cannot be written: " + e.getMessage(), e);
    }
  }

  /** One key a flush writes, or deletes ({@code value} null); each key at most once per flush. */
  private record Put(byte[] key, byte[] value) {
    static final Comparator<Put> ORDER = (a, b) -> Arrays.compareUnsigned(a.key(), b.key());
  }

  /**
   * Up to {@code max} orders of {@code scan}, in its order, after its position; fewer when the range ends. Scans
   * across customers merge the status ranges it asks for, so that each entry is found by a range read. Every range
   * reads the same snapshot.
   */
  List<Entry> scan(Scan scan, int max) {
    List<String> prefixes = new ArrayList<>();
    if (scan.customerId() != null) {
      prefixes.add(BY_CUSTOMER + scan.customerId() + SEPARATOR);
    } else {
      scan.statuses().forEach(status -> prefixes.add(statusPrefix(status)));
    }
    Snapshot snapshot = db.getSnapshot();
    List<Range> ranges = new ArrayList<>();
    try {
      for (String prefix : prefixes) {
        ranges.add(new Range(prefix, scan, snapshot));
      }
      Comparator<String> order = scan.newestFirst() ? Comparator.reverseOrder() : Comparator.naturalOrder();
      List<Entry> found = new ArrayList<>();
      while (found.size() < max) {
        Range next = null;
        for (Range range : ranges) {
          if (range.sortKey != null && (next == null || order.compare(range.sortKey, next.sortKey) < 0)) {
            next = range;
          }
        }
        if (next == null) {
          break;
        }
        OrderSummary summary = parse(next.sortKey, next.value);
        if (scan.customerId() == null || scan.statuses().contains(summary.getStatus())) {
          found.add(new Entry(next.sortKey.substring(ID_OFFSET), next.sortKey, summary));
        }
        next.advance();
      }
      return found;
    } finally {
      ranges.forEach(Range::close);
      db.releaseSnapshot(snapshot);
      snapshot.close();
    }
  }

  /** The keys under one prefix within a scan's times, read in its direction from after its position. */
  private final class Range implements AutoCloseable {
    private final int cut;
    private final boolean backwards;
    private final Slice low;
    private final Slice high;
    private final ReadOptions reads;
    private final RocksIterator iterator;
    String sortKey;
    byte[] value;

    Range(String prefix, Scan scan, Snapshot snapshot) {
      this.cut = prefix.length();
      this.backwards = scan.newestFirst();
      // Bounds: low is below every key of the first millisecond, high below every key of the last (excluded) one.
      this.low = new Slice(bytes(prefix + pad(scan.fromMillis())));
      this.high = new Slice(bytes(prefix + pad(scan.toMillis())));
      this.reads = new ReadOptions().setSnapshot(snapshot).setIterateLowerBound(low).setIterateUpperBound(high);
      this.iterator = db.newIterator(family(prefix), reads);
      String after = scan.after() == null ? null : prefix + scan.after();
      if (backwards) {
        if (after == null) {
          iterator.seekToLast();
        } else {
          iterator.seekForPrev(bytes(after));
          skip(after);
        }
      } else {
        if (after == null) {
          iterator.seekToFirst();
        } else {
          iterator.seek(bytes(after));
          skip(after);
        }
      }
      read();
    }

    /** Past the position itself, which the page before ended on. */
    private void skip(String after) {
      if (iterator.isValid() && new String(iterator.key(), StandardCharsets.US_ASCII).equals(after)) {
        step();
      }
    }

    private void step() {
      if (backwards) {
        iterator.prev();
      } else {
        iterator.next();
      }
    }

    void advance() {
      step();
      read();
    }

    private void read() {
      if (iterator.isValid()) {
        sortKey = new String(iterator.key(), StandardCharsets.US_ASCII).substring(cut);
        value = iterator.value();
      } else {
        sortKey = null;
        value = null;
      }
    }

    @Override
    public void close() {
      iterator.close();
      reads.close();
      low.close();
      high.close();
    }
  }

  /** How far feed {@code name} has applied its stream (recorded with the flush that wrote what it applied). */
  long applied(String name) {
    String value = meta("applied:" + name);
    return value == null ? 0 : Long.parseLong(value);
  }

  /** How many orders changed since the last flush. */
  synchronized int pending() {
    return pending.size();
  }

  /** Records how far feed {@code name} has applied its stream: written with the next flush. */
  synchronized void applied(String name, long sequence) {
    pendingMeta.put("applied:" + name, Long.toString(sequence));
  }

  /** The incarnation (creation time) of {@code stream} the index was made from, or {@code null}. */
  String source(String stream) {
    return meta("source:" + stream);
  }

  synchronized void source(String stream, String identity) {
    pendingMeta.put("source:" + stream, identity);
    flush();
  }

  /** Forgets everything: the streams it was made from are gone (made anew, or another server's). */
  synchronized void clear() {
    pending.clear();
    pendingMeta.clear();
    fromEarly.clear();
    openWritten.clear();
    try {
      db.deleteRange(defaultFamily, new byte[0], END);
      db.deleteRange(statusFamily, new byte[0], END);
    } catch (RocksDBException e) {
      throw new IllegalStateException("the order index cannot be cleared: " + e.getMessage(), e);
    }
    anyEarly = false;
  }

  /** How many orders are indexed (flushed): counted, for tests. */
  long size() {
    long count = 0;
    try (Slice low = new Slice(bytes(BY_CUSTOMER));
        Slice high = new Slice(bytes("c0"));
        ReadOptions reads = new ReadOptions().setIterateLowerBound(low).setIterateUpperBound(high);
        RocksIterator iterator = db.newIterator(defaultFamily, reads)) {
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        count++;
      }
    }
    return count;
  }

  /** Writes what was flushed from memory to the files now (RocksDB also does so as its memtables fill). */
  private void commit() {
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      db.flush(wait, List.of(defaultFamily, statusFamily));
    } catch (RocksDBException e) {
      throw new IllegalStateException("the order index cannot be written: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    flush();
    commit(); // without a write-ahead log, what is only in memory would be lost
    defaultFamily.close();
    statusFamily.close();
    db.close();
    writes.close();
    familyOptions.close();
    dbOptions.close();
    writeBuffers.close();
    cache.close();
  }

  static String sortKey(long placedAtMillis, String orderId) {
    return pad(placedAtMillis) + orderId;
  }

  private boolean any(String prefix) {
    try (Slice low = new Slice(bytes(prefix));
        ReadOptions reads = new ReadOptions().setIterateLowerBound(low);
        RocksIterator iterator = db.newIterator(family(prefix), reads)) {
      iterator.seekToFirst();
      return iterator.isValid() && new String(iterator.key(), StandardCharsets.US_ASCII).startsWith(prefix);
    }
  }

  private byte[] get(String key) {
    try {
      return db.get(family(key), bytes(key));
    } catch (RocksDBException e) {
      throw new IllegalStateException("the order index cannot be read: " + e.getMessage(), e);
    }
  }

  private String meta(String name) {
    byte[] value = get(META + name);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** The column family that holds {@code key} (or the keys under a prefix). */
  private ColumnFamilyHandle family(String key) {
    return key.startsWith(BY_STATUS) ? statusFamily : defaultFamily;
  }

  private static String statusPrefix(IndexedStatus status) {
    return BY_STATUS + status.getNumber() + SEPARATOR;
  }

  private static String statusKey(IndexedStatus status, String sortKey) {
    return statusPrefix(status) + sortKey;
  }

  /** Keys are ASCII: customer ids, order ids and the padded times are (CustomerIds, OrderIds). */
  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
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
}
