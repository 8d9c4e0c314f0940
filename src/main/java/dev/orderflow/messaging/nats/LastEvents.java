package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.StreamSpec;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the last event of many orders with one request: JetStream's batched direct get ({@code multi_last}, since
 * nats-server 2.11) over each order's subjects in a stream.
 *
 * <p>The steps of the saga look up every delivered order's outcome before acting on it. One direct get per order
 * costs a request and a reply through the broker for each; instead, the lookups asked for during one iteration of
 * an event loop are sent together at its end (through the {@link Outbox}), and the broker answers with the events
 * it has (usually none: a first delivery) and an end-of-batch status. Under load that is one request per pull batch
 * rather than per order; alone, a lookup goes out at once, as before.
 *
 * <p>Thread-safe; futures complete on the caller's Vert.x context.
 */
final class LastEvents {

  /**
   * Orders per request. The broker answers at most 1024 subjects per request, and each order has up to one per
   * event type of the stream.
   */
  static final int MAX_ORDERS_PER_REQUEST = 256;

  private final Vertx vertx;
  private final Connection connection;
  private final Duration timeout;
  private final String inbox;
  private final AtomicLong requests = new AtomicLong();
  /** Requests awaiting their end of batch, by reply subject. */
  private final Map<String, Answer> awaiting = new ConcurrentHashMap<>();
  private final Map<StreamSpec, Lookups> lookups = new ConcurrentHashMap<>();

  /** Answers arrive on {@code dispatcher}'s thread. */
  LastEvents(Vertx vertx, Connection connection, Dispatcher dispatcher, Duration timeout) {
    this.vertx = vertx;
    this.connection = connection;
    this.timeout = timeout;
    this.inbox = connection.createInbox();
    dispatcher.subscribe(inbox + ".*", this::onReply);
  }

  /** The last event stored for {@code orderId} in {@code stream} (of any type), or {@code null}. */
  Future<Recorded<?>> last(StreamSpec stream, String orderId) {
    // Internal API: completed on the caller's context (no public equivalent without a task per answer).
    Promise<Recorded<?>> promise = ((ContextInternal) vertx.getOrCreateContext()).promise();
    lookups.computeIfAbsent(stream, Lookups::new).add(new Lookup(orderId, promise));
    return promise.future();
  }

  private record Lookup(String orderId, Promise<Recorded<?>> promise) {}

  /** One stream's lookups not yet sent. */
  private final class Lookups {
    private final StreamSpec stream;
    private final Queue<Lookup> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    Lookups(StreamSpec stream) {
      this.stream = stream;
    }

    void add(Lookup lookup) {
      queued.add(lookup);
      if (flushing.compareAndSet(false, true)) {
        Outbox.send(this::flush);
      }
    }

    /** Sends what is queued, in requests of at most {@value #MAX_ORDERS_PER_REQUEST} orders. */
    private void flush() {
      flushing.set(false); // a lookup queued from now on schedules a flush of its own
      Map<String, List<Promise<Recorded<?>>>> byOrder = new LinkedHashMap<>();
      for (Lookup lookup = queued.poll(); lookup != null; lookup = queued.poll()) {
        byOrder.computeIfAbsent(lookup.orderId(), id -> new ArrayList<>(1)).add(lookup.promise());
        if (byOrder.size() == MAX_ORDERS_PER_REQUEST) {
          send(stream, byOrder);
          byOrder = new LinkedHashMap<>();
        }
      }
      if (!byOrder.isEmpty()) {
        send(stream, byOrder);
      }
    }
  }

  private void send(StreamSpec stream, Map<String, List<Promise<Recorded<?>>>> byOrder) {
    // Order ids are valid subject tokens (EventLog checks them), so the subjects need no JSON escaping.
    StringJoiner body = new StringJoiner("\",\"", "{\"multi_last\":[\"", "\"]}");
    byOrder.keySet().forEach(orderId -> body.add(stream.orderSubjects(orderId)));
    String reply = inbox + "." + requests.incrementAndGet();
    Answer answer = new Answer(byOrder);
    awaiting.put(reply, answer);
    answer.timer = vertx.setTimer(timeout.toMillis(), id -> {
      if (awaiting.remove(reply) != null) {
        answer.fail(new BrokerUnavailable("direct get: no answer within " + timeout.toMillis() + " ms", null));
      }
    });
    try {
      connection.publish("$JS.API.DIRECT.GET." + stream.name(), reply,
          body.toString().getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      if (awaiting.remove(reply) != null) {
        vertx.cancelTimer(answer.timer);
        answer.fail(NatsEventPublisher.translate(e));
      }
    }
  }

  /** On jnats's dispatcher thread: an event of a request's answer, or its end. */
  private void onReply(Message message) {
    String reply = message.getSubject();
    Answer answer = awaiting.get(reply);
    if (answer == null) {
      return; // timed out
    }
    if (!message.isStatusMessage()) {
      answer.add(message);
      return;
    }
    if (awaiting.remove(reply) == null) {
      return;
    }
    vertx.cancelTimer(answer.timer);
    int code = message.getStatus().getCode();
    String text = message.getStatus().getMessage();
    String pending = code == 204 && message.getHeaders() != null
        ? message.getHeaders().getFirst("Nats-Num-Pending") : null;
    if (pending != null && !pending.equals("0")) {
      // Cut short (the broker's byte limit): what was not answered is not known to be absent.
      answer.fail(new BrokerUnavailable("direct get: an incomplete answer (" + pending + " pending)", null));
    } else if (code == 204 || (code == 404 && text != null && text.contains("No Results"))) {
      answer.complete();
    } else {
      answer.fail(new BrokerUnavailable("direct get: " + message.getStatus(), null));
    }
  }

  /** What the broker answered to one request, until its end; touched only by the dispatcher thread. */
  private static final class Answer {
    private final Map<String, List<Promise<Recorded<?>>>> byOrder;
    /** The last event of each order answered so far (the one with the highest sequence), or why it is unreadable. */
    private final Map<String, Object> found = new HashMap<>();
    private volatile long timer;

    Answer(Map<String, List<Promise<Recorded<?>>>> byOrder) {
      this.byOrder = byOrder;
    }

    void add(Message message) {
      String subject = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Subject");
      String orderId = subject == null ? null : subject.substring(subject.lastIndexOf('.') + 1);
      Object recorded;
      try {
        recorded = NatsEventLog.decode(message);
      } catch (RuntimeException e) {
        recorded = e;
      }
      Object before = found.get(orderId);
      if (!(before instanceof Recorded<?> earlier && recorded instanceof Recorded<?> now
          && earlier.sequence() > now.sequence())) {
        found.put(orderId, recorded);
      }
    }

    void complete() {
      byOrder.forEach((orderId, promises) -> {
        Object recorded = found.get(orderId);
        for (Promise<Recorded<?>> promise : promises) {
          if (recorded instanceof RuntimeException e) {
            promise.tryFail(e);
          } else {
            promise.tryComplete((Recorded<?>) recorded);
          }
        }
      });
    }

    void fail(Throwable failure) {
      byOrder.values().forEach(promises -> promises.forEach(promise -> promise.tryFail(failure)));
    }
  }
}
