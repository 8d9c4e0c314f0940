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
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.Topology;
import dev.orderflow.orders.stored.IndexedStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>Once a stream is caught up, this process's own writes to it are not delivered back: the publisher tells the
 * feed of each event it stored, with its stream sequence ({@link EventPublisher#onStored}), and the feed applies them
 * in stream order. A stream's sequences have no holes, so a sequence the process did not learn of is another's write
 * (or one of its own whose acknowledgement was lost): every {@link #POLL_MILLIS} the feed asks each stream's last
 * sequence, and what was stored before the previous answer and is not yet applied is read by sequence ({@link
 * EventFeed#read}) and applied with the own writes around it. Nothing is applied past a hole, so a checkpoint never
 * passes an event that is not applied, and each event is applied once, whichever way it came. Where others write
 * much of a stream (several instances of the orders role, or shipping run apart), a read for each of theirs costs
 * more than having them all delivered: past {@link #FOREIGN_PER_SECOND} the feed follows that stream again, for good.
 *
 * <p>Intermediate steps (reserved, paid, confirmed) are not followed: they last milliseconds, and a listed order not
 * yet shipped or cancelled has its step read from the streams when it is listed ({@link OrderListing}). That keeps
 * the feed at two deliveries per order at most while it follows a stream, and none for what this process wrote.
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

  /** How often the feed takes in this process's own writes and reads what others wrote. */
  private static final long TICK_MILLIS = 10;
  /**
   * How often the feed asks for a stream's last sequence. What was stored before the previous answer, and is still
   * not applied, was written by another, or its acknowledgement was lost: it is read then, a tenth of a second or more
   * after its store, by when this process's own acknowledgements have long arrived.
   */
  private static final long POLL_MILLIS = 100;
  /** How many events written by others a stream may need read in a second before the feed follows it again. */
  private static final int FOREIGN_PER_SECOND = 200;

  private final Messaging messaging;
  /** The streams followed, each with the types of it that the index takes, in order. */
  private final Map<StreamSpec, Source> sources = new LinkedHashMap<>();
  /** This process's own writes, as the publisher acknowledged them; taken in by the index's thread. */
  private final Queue<EventPublisher.Stored> own = new ConcurrentLinkedQueue<>();
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
  /** Whether the last tick failed to read the streams: said once, not every tick. */
  private boolean readFailing;
  /** Whether a flush for {@link #FLUSH_ORDERS} is on its way to the flusher. */
  private final AtomicBoolean flushAsked = new AtomicBoolean();

  /** The index lives in {@code dataDir}. */
  public OrderIndexFeed(Messaging messaging, Path dataDir) {
    this.messaging = messaging;
    this.dir = dataDir.resolve("order-index");
  }

  /**
   * A stream the index follows: by its feeds (while catching up, or for good once others write much of it), or by
   * this process's own writes and reads of the rest. Its fields are the index thread's, under the index's lock.
   */
  private static final class Source {
    final StreamSpec stream;
    final List<EventType<?>> types;
    /** Whether its feeds deliver every event (no own writes taken in); false once caught up, unless others write. */
    boolean following = true;
    /** Set once the feed went back to following it for others' writes: it stays so. */
    boolean settled;
    final List<EventFeed.Following> feeds = new ArrayList<>();
    /**
     * Which feeds may apply: raised whenever the feeds stop or start again, so that one stopped, still handing over
     * what was on its way, cannot move a type's point past events the feeds after it have yet to hand over.
     */
    int generation;
    /** Not following: every event up to it applied, none after it. */
    long frontier;
    /** Own writes past the frontier, by sequence, waiting for what others wrote before them. */
    final TreeMap<Long, EventPublisher.Stored> ahead = new TreeMap<>();
    /** The stream's last sequence when last asked, and when. */
    long horizon;
    long polledAt;
    /** Events written by others read this second, and since when. */
    int foreign;
    long foreignSince;

    Source(StreamSpec stream, List<EventType<?>> types) {
      this.stream = stream;
      this.types = types;
    }
  }

  @Override
  public Future<?> start() {
    feed = messaging.feed();
    FOLLOWED.forEach(type -> sources.computeIfAbsent(type.stream(), stream -> new Source(stream,
        FOLLOWED.stream().filter(t -> t.stream() == stream).toList())));
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
        .onSuccess(v -> {
          messaging.publisher().onStored(sources.keySet(), stored -> {
            if (!stopping) {
              own.add(stored);
            }
          });
          flusher.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
          flusher.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        })
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
    AtomicBoolean asked = new AtomicBoolean();
    vertx.setPeriodic(2, id -> {
      if (!reached(written, target) && asked.compareAndSet(false, true)) {
        // Stored moments ago: on the index's thread, take in the own writes and write them now, rather than at the
        // next tick and flush. Until they are taken in (or a feed delivered them), ask again.
        try {
          flusher.execute(() -> {
            takeInOwn();
            if (reached(applied, target)) {
              flush();
            } else {
              asked.set(false);
            }
          });
        } catch (RejectedExecutionException stopped) {
          // Stopping: the list gets what the index holds.
        }
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
      return feed.follow(type, from, listener(sources.get(type.stream()))).map(following -> {
        synchronized (index) {
          sources.get(type.stream()).feeds.add(following);
        }
        return null;
      });
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

  /** What the feeds of {@code source} started now hand their events to: {@link #apply}, for as long as they may. */
  private EventFeed.Listener listener(Source source) {
    int generation;
    synchronized (index) {
      generation = source.generation;
    }
    return (type, orderId, event, sequence, pending) -> apply(source, generation, type, orderId, event, sequence,
        pending);
  }

  /**
   * On the feed's thread. The placing time of an old-style shipment (without {@code placed_at}) is read first, outside
   * the index's lock (it may wait for the broker); the change and how far the feed got are then recorded together,
   * under the lock a flush takes, so that no flush writes one without the other.
   */
  private void apply(Source source, int generation, EventType<?> type, String orderId, Message event, long sequence,
      long pending) {
    long oldStylePlacedAt = oldStylePlacedAt(orderId, event);
    boolean full;
    synchronized (index) {
      if (!source.following || source.generation != generation || sequence <= applied.getOrDefault(type, 0L)) {
        // On its way when the feed stopped (the reads take it from here), or written by this process and taken in.
        return;
      }
      source.ahead.remove(sequence);
      record(orderId, event, oldStylePlacedAt);
      applied.put(type, sequence);
      full = index.pending() >= FLUSH_ORDERS;
    }
    if (full) {
      askFlush();
    }
    if (pending == 0 && !caughtUpAt.containsKey(type)) {
      caughtUpAt.put(type, sequence);
      LOG.info("Order index: {} read up to sequence {} (written within a second)", type.name(), sequence);
    }
  }

  private void askFlush() {
    if (!stopping && flushAsked.compareAndSet(false, true)) {
      try {
        flusher.execute(() -> {
          flushAsked.set(false);
          flush();
        });
      } catch (RejectedExecutionException stopped) {
        // Stopping: the last flush is stop's.
      }
    }
  }

  private long oldStylePlacedAt(String orderId, Message event) {
    return event instanceof ShipmentScheduled shipped && !shipped.hasPlacedAt()
        && Topology.SHIPMENT_SCHEDULED.sound(shipped) ? placingTime(orderId) : 0;
  }

  /**
   * On the index's thread, every {@link #TICK_MILLIS}: takes in this process's own writes, reads what others wrote,
   * and moves each stream between following and taking in. A broker that does not answer is tried again next time.
   */
  private void tick() {
    try {
      takeInOwn();
      long now = System.nanoTime();
      for (Source source : sources.values()) {
        if (source.following) {
          if (!source.settled && source.types.stream().allMatch(caughtUpAt::containsKey)) {
            takeOver(source);
          }
        } else if (now - source.polledAt >= TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)) {
          readOthers(source, source.horizon);
          source.horizon = feed.lastSequence(source.stream);
          source.polledAt = now;
          if (source.foreign > FOREIGN_PER_SECOND) {
            followAgain(source);
          } else if (now - source.foreignSince >= TimeUnit.SECONDS.toNanos(1)) {
            source.foreign = 0;
            source.foreignSince = now;
          }
        }
      }
      readFailing = false;
    } catch (RuntimeException e) {
      if (!stopping && !readFailing) {
        LOG.warn("Order index: cannot read the streams ({}); trying again", e.getMessage());
      }
      readFailing = true;
    }
  }

  /** Applies the own writes acknowledged since the last tick, each stream's in order of sequence. */
  private void takeInOwn() {
    boolean full = false;
    synchronized (index) {
      for (EventPublisher.Stored stored = own.poll(); stored != null; stored = own.poll()) {
        Source source = sources.get(stored.type().stream());
        if (!source.following && stored.sequence() > source.frontier) {
          source.ahead.put(stored.sequence(), stored);
        }
      }
      for (Source source : sources.values()) {
        if (!source.following) {
          advance(source);
        }
      }
      full = index.pending() >= FLUSH_ORDERS;
    }
    if (full) {
      askFlush();
    }
  }

  /** Applies the own writes that follow the frontier without a hole, and moves it past them. Under the lock. */
  private void advance(Source source) {
    for (var next = source.ahead.firstEntry(); next != null && next.getKey() == source.frontier + 1;
        next = source.ahead.firstEntry()) {
      source.ahead.pollFirstEntry();
      takeIn(next.getValue());
      source.frontier = next.getKey();
    }
    source.types.forEach(type -> applied.merge(type, source.frontier, Math::max));
  }

  /**
   * Applies one own write, unless the index takes no events of its type or a feed applied it already (just after a
   * stream is taken in, each type's feed may have stopped past the frontier). Under the lock.
   */
  private void takeIn(EventPublisher.Stored stored) {
    if (source(stored).types.contains(stored.type())
        && stored.sequence() > applied.getOrDefault(stored.type(), 0L)) {
      record(stored.orderId(), stored.event(), 0, true);
    }
  }

  private Source source(EventPublisher.Stored stored) {
    return sources.get(stored.type().stream());
  }

  /**
   * Reads the events of {@code source} stored up to {@code upTo} that the frontier has not reached (others' writes,
   * or own ones whose acknowledgement was lost) and applies them with the own writes among them, in one step.
   */
  private void readOthers(Source source, long upTo) {
    if (source.frontier >= upTo) {
      return;
    }
    List<Read> read = new ArrayList<>();
    for (EventType<?> type : source.types) {
      long from = Math.max(source.frontier, applied.getOrDefault(type, 0L));
      feed.read(type, from, upTo, (t, orderId, event, sequence, pending) ->
          read.add(new Read(orderId, event, sequence, oldStylePlacedAt(orderId, event))));
    }
    synchronized (index) {
      for (Read event : read) {
        if (!source.ahead.containsKey(event.sequence())) {
          record(event.orderId(), event.event(), event.oldStylePlacedAt());
          source.foreign++;
        }
      }
      // Own writes among them, in order; then the frontier stands at upTo.
      while (!source.ahead.isEmpty() && source.ahead.firstKey() <= upTo) {
        takeIn(source.ahead.pollFirstEntry().getValue());
      }
      source.frontier = upTo;
      advance(source);
    }
  }

  /** An event read by sequence, with the placing time an old-style shipment needs, read before taking the lock. */
  private record Read(String orderId, Message event, long sequence, long oldStylePlacedAt) {}

  /**
   * Stops following {@code source}, caught up, and takes in its own writes from here: what the feeds did not hand
   * over before they stopped is read, up to the stream's last sequence now.
   */
  private void takeOver(Source source) {
    List<EventFeed.Following> feeds;
    synchronized (index) {
      source.following = false;
      source.generation++;
      // Nothing is applied past each feed's own point, so the frontier starts at the lowest; the reads then take each
      // type from its own point (readOthers), never twice.
      source.frontier = source.types.stream().mapToLong(type -> applied.getOrDefault(type, 0L)).min().orElse(0);
      source.ahead.clear();
      feeds = List.copyOf(source.feeds);
      source.feeds.clear();
    }
    feeds.forEach(EventFeed.Following::stop);
    long last = feed.lastSequence(source.stream);
    readOthers(source, last);
    source.horizon = last;
    source.polledAt = System.nanoTime();
    source.foreign = 0;
    source.foreignSince = source.polledAt;
    LOG.info("Order index: stream {} caught up at sequence {}; taking in this process's own writes, reading others'",
        source.stream.name(), last);
  }

  /** Follows {@code source} again, from its frontier, for good: others write much of it. */
  private void followAgain(Source source) {
    long from;
    synchronized (index) {
      source.following = true;
      source.settled = true;
      source.generation++;
      source.ahead.clear();
      from = source.frontier;
    }
    LOG.info("Order index: others write much of stream {} ({} events in a second); following it from sequence {}",
        source.stream.name(), source.foreign, from);
    EventFeed.Listener listener = listener(source);
    source.types.forEach(type -> feed.follow(type, from, listener).onSuccess(following -> {
      synchronized (index) {
        source.feeds.add(following);
      }
    }));
  }

  private void record(String orderId, Message event, long oldStylePlacedAt) {
    record(orderId, event, oldStylePlacedAt, false);
  }

  /**
   * {@code own}: the event is this process's own write, so its shape is not checked again: the rules are for what
   * another may have published onto the subjects, and checking each placing's lines cost more than indexing it.
   */
  private void record(String orderId, Message event, long oldStylePlacedAt, boolean own) {
    if (event instanceof OrderPlaced placed && (own || Topology.ORDER_PLACED.sound(placed))) {
      index.placed(orderId, placed.getCustomerId(), millis(placed.getOccurredAt()), placed.getTotal().getAmountMinor(),
          placed.getTotal().getCurrency());
    } else if (event instanceof OrderCancelled cancelled && (own || Topology.ORDER_CANCELLED.sound(cancelled))) {
      index.ended(orderId, millis(cancelled.getPlacedAt()), IndexedStatus.CANCELLED, cancelled.getReasonValue(),
          millis(cancelled.getOccurredAt()));
    } else if (event instanceof ShipmentScheduled shipped && (own || Topology.SHIPMENT_SCHEDULED.sound(shipped))) {
      long placedAt = shipped.hasPlacedAt() ? millis(shipped.getPlacedAt()) : oldStylePlacedAt;
      index.ended(orderId, placedAt, IndexedStatus.SHIPPED, 0, millis(shipped.getOccurredAt()));
    }
    // Anything else on these subjects was dead-lettered by the saga's consumers: no order, nothing to list.
  }
}
