package dev.orderflow.orders;

import com.google.protobuf.Message;
import dev.orderflow.config.Backoff;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.EventFeed;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Topology;
import dev.orderflow.orders.stored.IndexedStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link OrderIndex} from the events: every {@code OrderPlaced}, {@code OrderCancelled} and {@code
 * ShipmentScheduled}, each followed from where the index left off ({@link EventFeed}). An index that is new, or
 * whose streams were made anew since (another store, a wiped broker), is rebuilt from the start of the streams; until
 * it has caught up, lists are refused rather than shown incomplete.
 *
 * <p>Intermediate steps (reserved, paid, confirmed) are not followed: they last milliseconds, and a listed order not
 * yet shipped or cancelled has its step read from the streams when it is listed ({@link OrderListing}). That keeps
 * the feed at two or three messages per order.
 */
public final class OrderIndexFeed extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderIndexFeed.class);
  private static final List<EventType<?>> FOLLOWED =
      List.of(Topology.ORDER_PLACED, Topology.ORDER_CANCELLED, Topology.SHIPMENT_SCHEDULED);
  /**
   * How often what the feeds applied is written to the index, with how far each got: most orders are placed and
   * shipped within it, and are written once.
   */
  private static final long FLUSH_MILLIS = 1_000;
  /**
   * How many changed orders wait at most for the flush: past it they are written at once. Under a saga of a few
   * thousand orders a second the clock decides; under ingest alone (nothing ends) this does, and the orders waiting in
   * the heap stay a few megabytes that the young collections need not copy and promote again and again.
   */
  private static final int FLUSH_ORDERS = 4_096;
  /**
   * RocksDB's block cache (native memory), which its memtables (up to 64 MiB, see OrderIndex) are charged to: what
   * they do not take holds the blocks lists read.
   */
  private static final int CACHE_MEGABYTES = 128;
  /** How long the feed waits for one read of an order's placing time, and between tries. */
  private static final Duration READ_PATIENCE = Duration.ofSeconds(5);
  private static final Backoff READ_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  private final Messaging messaging;
  private final Path dir;
  private final Map<EventType<?>, Long> applied = new ConcurrentHashMap<>();
  /** How far each feed's events are written (flushed) to the index: what a list can see. */
  private final Map<EventType<?>, Long> written = new ConcurrentHashMap<>();
  /**
   * For each feed that has read what its stream held when it started: the sequence it had read then. The index is
   * rebuilt once what was written reaches it for every feed (reading alone is not enough: writes come once a second).
   */
  private final Map<EventType<?>, Long> caughtUpAt = new ConcurrentHashMap<>();
  private OrderIndex index;
  private EventFeed feed;
  private ScheduledExecutorService flusher;
  private volatile boolean stopping;
  /** Whether a flush for {@link #FLUSH_ORDERS} is on its way to the flusher. */
  private final AtomicBoolean flushAsked = new AtomicBoolean();

  /** The index lives in {@code dataDir}. */
  public OrderIndexFeed(Messaging messaging, Path dataDir) {
    this.messaging = messaging;
    this.dir = dataDir.resolve("order-index");
  }

  @Override
  public Future<?> start() {
    feed = messaging.feed();
    flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "orderflow-order-index");
      thread.setDaemon(true);
      return thread;
    });
    return vertx.executeBlocking(() -> {
          Files.createDirectories(dir.getParent());
          // The single file of the index's store before RocksDB: nothing reads it any more.
          Files.deleteIfExists(dir.resolveSibling("order-index.mv"));
          try {
            return OrderIndex.open(dir, CACHE_MEGABYTES);
          } catch (RocksDBException damaged) {
            // A store a crash left unreadable is only ever a copy of the streams: start it again. One another
            // process holds open (two instances given one data folder) is that process's: give up.
            if (damaged.getMessage() != null && damaged.getMessage().contains("lock")) {
              throw damaged;
            }
            LOG.warn("Order index: {} cannot be opened ({}); rebuilding it from the streams", dir,
                damaged.getMessage());
            deleteTree(dir);
            return OrderIndex.open(dir, CACHE_MEGABYTES);
          }
        })
        .compose(opened -> {
          index = opened;
          return Future.all(FOLLOWED.stream().map(this::checkSource).toList());
        })
        .compose(v -> Future.all(FOLLOWED.stream().map(this::follow).toList()))
        .onSuccess(v -> flusher.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS,
            TimeUnit.MILLISECONDS))
        .onFailure(e -> flusher.shutdown());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (flusher != null) {
      flusher.shutdown();
    }
    Future<Void> closed = feed == null ? Future.succeededFuture() : feed.close();
    return closed.compose(v -> vertx.executeBlocking(() -> {
      if (flusher != null) {
        flusher.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (index != null) {
        flush();
        index.close();
      }
      return null;
    }));
  }

  /** The index, for the listing; {@code null} before start. */
  OrderIndex index() {
    return index;
  }

  /**
   * Whether the index holds what every stream held when its feed started (a new index: the whole replay): each feed
   * read that far, and what it read is written.
   */
  boolean rebuilt() {
    return FOLLOWED.stream().allMatch(type -> caughtUpAt.containsKey(type)
        && written.getOrDefault(type, 0L) >= caughtUpAt.get(type));
  }

  /**
   * Completes once the index shows every order event {@code publisher} stored so far (this process's own writes, so
   * that a client sees the order it just placed or cancelled), or after {@code patience} whatever it holds.
   */
  Future<Void> caughtUpWith(EventPublisher publisher, Duration patience) {
    // What was stored before this request: under load later writes keep coming, and are no concern of it.
    Map<EventType<?>, Long> target = new HashMap<>();
    FOLLOWED.forEach(type -> target.put(type, publisher.lastStored(type)));
    if (reached(written, target)) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long giveUpAt = System.nanoTime() + patience.toNanos();
    boolean[] flushing = {false};
    vertx.setPeriodic(2, id -> {
      if (!flushing[0] && reached(applied, target) && !reached(written, target)) {
        // Read already: write it now rather than at the next flush.
        flushing[0] = true;
        vertx.executeBlocking(() -> {
          flush();
          return null;
        });
      }
      if (reached(written, target) || System.nanoTime() > giveUpAt) {
        vertx.cancelTimer(id);
        done.complete();
      }
    });
    return done.future();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static boolean reached(Map<EventType<?>, Long> sequences, Map<EventType<?>, Long> target) {
    return target.entrySet().stream().allMatch(t -> sequences.getOrDefault(t.getKey(), 0L) >= t.getValue());
  }

  /**
   * Writes what the feeds applied, and how far each got, in one go (a crash replays from there). Under the lock
   * {@link #apply} records under, so the checkpoints cover exactly the changes written with them.
   */
  private void flush() {
    synchronized (index) {
      Map<EventType<?>, Long> reached = Map.copyOf(applied);
      reached.forEach((type, sequence) -> index.applied(type.name(), sequence));
      index.flush();
      written.putAll(reached);
    }
  }

  /** Forgets the index when its checkpoints belong to another incarnation of a stream than the one there now. */
  private Future<Void> checkSource(EventType<?> type) {
    return feed.state(type).map(state -> {
      String stream = type.stream().name();
      String known = index.source(stream);
      long from = index.applied(type.name());
      if ((known != null && !known.equals(state.created())) || from > state.lastSequence()) {
        LOG.warn("Order index: stream {} is not the one the index was made from; rebuilding it from the streams",
            stream);
        index.clear();
      }
      index.source(stream, state.created());
      return null;
    });
  }

  private Future<Void> follow(EventType<?> type) {
    long from = index.applied(type.name());
    applied.put(type, from);
    written.put(type, from);
    return feed.anyAfter(type, from).compose(any -> {
      if (!any) {
        caughtUpAt.put(type, from);
      }
      if (any && from == 0) {
        LOG.info("Order index: reading every {} from the start of its stream", type.name());
      }
      return feed.follow(type, from, this::apply);
    });
  }

  /**
   * When {@code orderId} was placed, read from its {@code OrderPlaced}: for a {@code ShipmentScheduled} written by a
   * version before shipments carried it. On the feed's thread, which waits for the answer (trying again while the
   * broker does not give one, until the feed stops); 0 when the order was never placed, or the feed stopped.
   */
  private long placingTime(String orderId) {
    for (int attempt = 1; !stopping; attempt++) {
      try {
        OrderPlaced placed = messaging.eventLog().findSound(Topology.ORDER_PLACED, orderId)
            .toCompletionStage().toCompletableFuture().get(READ_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        return placed == null ? 0 : millis(placed.getOccurredAt());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      } catch (ExecutionException | TimeoutException e) {
        if (attempt == 1) {
          LOG.warn("Order index: cannot read when order {} was placed ({}); trying again", orderId, e.getMessage());
        }
        try {
          Thread.sleep(READ_BACKOFF.delay(attempt).toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return 0;
        }
      }
    }
    return 0;
  }

  private static long millis(com.google.protobuf.Timestamp at) {
    return EventTime.toInstant(at).toEpochMilli();
  }

  /**
   * On the feed's thread. The placing time of an old-style shipment (without {@code placed_at}) is read first, outside
   * the index's lock (it may wait for the broker); the change and how far the feed got are then recorded together,
   * under the lock a flush takes, so that no flush writes one without the other.
   */
  private void apply(EventType<?> type, String orderId, Message event, long sequence, long pending) {
    long oldStylePlacedAt = event instanceof ShipmentScheduled shipped && !shipped.hasPlacedAt()
        && Topology.SHIPMENT_SCHEDULED.sound(shipped) ? placingTime(orderId) : 0;
    boolean full;
    synchronized (index) {
      record(orderId, event, oldStylePlacedAt);
      applied.put(type, sequence);
      full = index.pending() >= FLUSH_ORDERS;
    }
    if (full && !stopping && flushAsked.compareAndSet(false, true)) {
      try {
        flusher.execute(() -> {
          flushAsked.set(false);
          flush();
        });
      } catch (RejectedExecutionException stopped) {
        // Stopping: the last flush is stop's.
      }
    }
    if (pending == 0 && !caughtUpAt.containsKey(type)) {
      caughtUpAt.put(type, sequence);
      LOG.info("Order index: {} read up to sequence {} (written within a second)", type.name(), sequence);
    }
  }

  private void record(String orderId, Message event, long oldStylePlacedAt) {
    if (event instanceof OrderPlaced placed && Topology.ORDER_PLACED.sound(placed)) {
      index.placed(orderId, placed.getCustomerId(), millis(placed.getOccurredAt()), placed.getTotal().getAmountMinor(),
          placed.getTotal().getCurrency());
    } else if (event instanceof OrderCancelled cancelled && Topology.ORDER_CANCELLED.sound(cancelled)) {
      index.ended(orderId, millis(cancelled.getPlacedAt()), IndexedStatus.CANCELLED, cancelled.getReasonValue(),
          millis(cancelled.getOccurredAt()));
    } else if (event instanceof ShipmentScheduled shipped && Topology.SHIPMENT_SCHEDULED.sound(shipped)) {
      long placedAt = shipped.hasPlacedAt() ? millis(shipped.getPlacedAt()) : oldStylePlacedAt;
      index.ended(orderId, placedAt, IndexedStatus.SHIPPED, 0, millis(shipped.getOccurredAt()));
    }
    // Anything else on these subjects was dead-lettered by the saga's consumers: no order, nothing to list.
  }
}
