package dev.orderflow.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.orders.stored.IndexedStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** The orders' read model in a RocksDB of its own: what it keeps, and how it pages. */
@DisplayName("The order index")
class OrderIndexTest {

  private static final Set<IndexedStatus> ALL =
      EnumSet.of(IndexedStatus.OPEN, IndexedStatus.SHIPPED, IndexedStatus.CANCELLED);
  @TempDir
  Path dir;
  private OrderIndex index;

  @BeforeEach
  void open() throws Exception {
    index = OrderIndex.open(dir.resolve("index"), 4);
  }

  @AfterEach
  void close() {
    index.close();
  }

  @Test
  @DisplayName("lists a customer's orders newest first and oldest first, and only that customer's")
  void byCustomer() {
    index.placed("o-1", "alice", 1_000, 100, "EUR");
    index.placed("o-2", "bob", 2_000, 200, "EUR");
    index.placed("o-3", "alice", 3_000, 300, "EUR");
    index.placed("o-4", "alice-x", 4_000, 400, "EUR");

    assertThat(ids(scanned(scan("alice", true, null), 10))).containsExactly("o-3", "o-1");
    assertThat(ids(scanned(scan("alice", false, null), 10))).containsExactly("o-1", "o-3");
    assertThat(ids(scanned(scan("bob", true, null), 10))).containsExactly("o-2");
    assertThat(ids(scanned(scan("nobody", true, null), 10))).isEmpty();
  }

  @Test
  @DisplayName("goes on after a position, in either direction, without repeating or skipping")
  void pages() {
    for (int i = 1; i <= 5; i++) {
      index.placed("o-" + i, "alice", i * 1_000L, i, "EUR");
    }
    List<OrderIndex.Entry> first = scanned(scan("alice", true, null), 2);
    List<OrderIndex.Entry> second = scanned(scan("alice", true, first.get(1).sortKey()), 2);
    List<OrderIndex.Entry> third = scanned(scan("alice", true, second.get(1).sortKey()), 2);

    assertThat(ids(first)).containsExactly("o-5", "o-4");
    assertThat(ids(second)).containsExactly("o-3", "o-2");
    assertThat(ids(third)).containsExactly("o-1");
    List<OrderIndex.Entry> oldest = scanned(scan("alice", false, null), 2);
    assertThat(ids(scanned(scan("alice", false, oldest.get(1).sortKey()), 10)))
        .containsExactly("o-3", "o-4", "o-5");
  }

  @Test
  @DisplayName("keeps to a placing-time range: from inclusive, to exclusive")
  void timeRange() {
    for (int i = 1; i <= 5; i++) {
      index.placed("o-" + i, "alice", i * 1_000L, i, "EUR");
    }
    OrderIndex.Scan range = new OrderIndex.Scan("alice", ALL, 2_000, 4_000, true, null);

    assertThat(ids(scanned(range, 10))).containsExactly("o-3", "o-2");
    assertThat(ids(scanned(new OrderIndex.Scan(null, ALL, 2_000, 4_000, false, null), 10)))
        .containsExactly("o-2", "o-3");
  }

  @Test
  @DisplayName("lists every customer's orders by status, merging the statuses asked for in time order")
  void acrossCustomers() {
    index.placed("o-1", "alice", 1_000, 1, "EUR");
    index.placed("o-2", "bob", 2_000, 1, "EUR");
    index.placed("o-3", "carol", 3_000, 1, "EUR");
    index.ended("o-2", 2_000, IndexedStatus.SHIPPED, 0, 2_500);
    index.ended("o-3", 3_000, IndexedStatus.CANCELLED, CancellationReason.CUSTOMER_REQUESTED_VALUE, 3_500);

    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.OPEN), 0, Long.MAX_VALUE, false,
        null), 10))).containsExactly("o-1");
    assertThat(ids(scanned(new OrderIndex.Scan(null, ALL, 0, Long.MAX_VALUE, true, null), 10)))
        .containsExactly("o-3", "o-2", "o-1");
    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.CANCELLED), 0, Long.MAX_VALUE,
        true, null), 10))).containsExactly("o-3");
    assertThat(scanned(new OrderIndex.Scan("carol", ALL, 0, Long.MAX_VALUE, true, null), 1).get(0).summary()
        .getCancellationReason()).isEqualTo(CancellationReason.CUSTOMER_REQUESTED_VALUE);
  }

  @Test
  @DisplayName("takes events in any order and any number of times: an end read before the order, a replay")
  void idempotentAndUnordered() {
    index.ended("o-1", 1_000, IndexedStatus.SHIPPED, 0, 1_500);
    assertThat(ids(scanned(scan("alice", true, null), 10))).as("not listed before its OrderPlaced").isEmpty();

    index.placed("o-1", "alice", 1_000, 100, "EUR");
    index.placed("o-1", "alice", 1_000, 100, "EUR");
    index.ended("o-1", 1_000, IndexedStatus.CANCELLED, CancellationReason.OUT_OF_STOCK_VALUE, 1_700);

    assertThat(scanned(scan("alice", true, null), 1).get(0).summary().getStatus()).as("the first end stands")
        .isEqualTo(IndexedStatus.SHIPPED);
    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.SHIPPED), 0, Long.MAX_VALUE, true,
        null), 10))).containsExactly("o-1");
    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.OPEN), 0, Long.MAX_VALUE, true,
        null), 10))).isEmpty();
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("ends orders whose OPEN entry an earlier flush wrote: the entry goes, the first end stands")
  void endsAfterWriting() {
    index.placed("o-1", "alice", 1_000, 100, "EUR");
    index.placed("o-2", "alice", 2_000, 100, "EUR");
    index.placed("o-3", "bob", 3_000, 100, "EUR");
    index.flush();
    index.ended("o-1", 1_000, IndexedStatus.SHIPPED, 0, 1_500);
    index.ended("o-2", 2_000, IndexedStatus.CANCELLED, CancellationReason.CUSTOMER_REQUESTED_VALUE, 2_500);
    index.ended("o-1", 1_000, IndexedStatus.CANCELLED, CancellationReason.OUT_OF_STOCK_VALUE, 1_700);
    index.flush();

    List<OrderIndex.Entry> listed = scanned(scan("alice", true, null), 10);
    assertThat(ids(listed)).containsExactly("o-2", "o-1");
    assertThat(listed.get(1).summary().getStatus()).as("the first end stands").isEqualTo(IndexedStatus.SHIPPED);
    assertThat(listed.get(0).summary().getStatus()).isEqualTo(IndexedStatus.CANCELLED);
    assertThat(listed.get(0).summary().getCustomerId()).as("what the placing wrote is kept").isEqualTo("alice");
    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.OPEN), 0, Long.MAX_VALUE, true,
        null), 10))).as("only the open order's OPEN entry is left").containsExactly("o-3");
    assertThat(ids(scanned(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.SHIPPED), 0, Long.MAX_VALUE, true,
        null), 10))).containsExactly("o-1");
    assertThat(index.size()).isEqualTo(3);
  }

  @Test
  @DisplayName("keeps what it holds, and how far it read, in its file across a restart")
  void persists() throws Exception {
    Path file = dir.resolve("again");
    try (OrderIndex first = OrderIndex.open(file, 4)) {
      first.placed("o-1", "alice", 1_000, 100, "EUR");
      first.placed("o-2", "alice", 2_000, 100, "EUR");
      first.flush();
      first.ended("o-1", 1_000, IndexedStatus.SHIPPED, 0, 1_500);
      first.applied("OrderPlaced", 42);
      first.source("ORDERS", "made at noon");
    }
    try (OrderIndex again = OrderIndex.open(file, 4)) {
      assertThat(ids(again.scan(scan("alice", true, null), 10))).as("written at close").containsExactly("o-2", "o-1");
      again.ended("o-2", 2_000, IndexedStatus.CANCELLED, CancellationReason.OUT_OF_STOCK_VALUE, 2_500);
      again.flush();
      assertThat(ids(again.scan(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.OPEN), 0, Long.MAX_VALUE, true,
          null), 10))).as("an order open at the restart ends where it is").isEmpty();
      assertThat(ids(again.scan(new OrderIndex.Scan(null, EnumSet.of(IndexedStatus.CANCELLED), 0, Long.MAX_VALUE,
          true, null), 10))).containsExactly("o-2");
      assertThat(again.applied("OrderPlaced")).isEqualTo(42);
      assertThat(again.source("ORDERS")).isEqualTo("made at noon");
      again.clear();
      assertThat(again.size()).isZero();
      assertThat(again.applied("OrderPlaced")).isZero();
    }
  }

  @Test
  @DisplayName("refuses a store another index holds open, saying so (the feed then gives up rather than rebuild)")
  void locked() {
    assertThatThrownBy(() -> OrderIndex.open(dir.resolve("index"), 4)).isInstanceOf(RocksDBException.class)
        .hasMessageContaining("lock");
  }

  @Test
  @DisplayName("refuses a store of the earlier layout, one column family, saying so (the feed then rebuilds it)")
  void earlierLayout() throws Exception {
    Path earlier = dir.resolve("earlier");
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, earlier.toString())) {
      db.put("s/0/0000000001000o-1".getBytes(StandardCharsets.US_ASCII), new byte[0]);
    }
    assertThatThrownBy(() -> OrderIndex.open(earlier, 4)).isInstanceOf(RocksDBException.class)
        .hasMessageContaining("earlier layout").message().doesNotContain("lock");
  }

  /** What a reader sees once the gathered changes are written. */
  private List<OrderIndex.Entry> scanned(OrderIndex.Scan scan, int max) {
    index.flush();
    return index.scan(scan, max);
  }

  private static OrderIndex.Scan scan(String customerId, boolean newestFirst, String after) {
    return new OrderIndex.Scan(customerId, ALL, 0, Long.MAX_VALUE, newestFirst, after);
  }

  private static List<String> ids(List<OrderIndex.Entry> entries) {
    return entries.stream().map(OrderIndex.Entry::orderId).toList();
  }
}
