package dev.orderflow.messaging.nats;

import com.google.protobuf.Message;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.MessagingException;
import dev.orderflow.messaging.Overloaded;
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.WriteConflict;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsJetStreamConstants;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publishes to JetStream without blocking: every publish is asynchronous, at most {@code window} await their
 * acknowledgement at once (beyond that a publish fails fast with {@link Overloaded}), and each completes only
 * when the stream acknowledged it, or fails with {@link BrokerUnavailable} after {@code timeout}.
 *
 * <p>Thread-safe; futures complete on the caller's Vert.x context.
 */
public final class NatsEventPublisher implements EventPublisher {

  /** The JetStream error code for a failed expected-last-sequence check. */
  static final int WRONG_LAST_SEQUENCE = 10071;
  /**
   * The same refusal from a replicated stream, or while another write to the subject is still in flight, when the
   * server cannot name the sequence.
   */
  static final int WRONG_LAST_SEQUENCE_CONSTANT = 10164;

  private final Vertx vertx;
  private final Connection connection;
  private final JetStream jetStream;
  private final int window;
  private final Duration timeout;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final MessagingTelemetry telemetry;
  /** Publishes awaiting their acknowledgement, oldest first, with when they are overdue. */
  private final Queue<Awaiting> awaiting = new ConcurrentLinkedQueue<>();
  private final long sweeper;
  /** The highest stream sequence acknowledged to this publisher, per event type: what a read model must reach. */
  private final Map<EventType<?>, AtomicLong> acked = new ConcurrentHashMap<>();

  /** Who learns of the events stored in which streams ({@link #onStored}): the order index, once it follows them. */
  private final List<Listening> storedListeners = new CopyOnWriteArrayList<>();

  private record Listening(Set<StreamSpec> streams, Consumer<Stored> listener) {}

  private record Awaiting(CompletableFuture<PublishAck> sent, long deadline) {}

  NatsEventPublisher(Vertx vertx, Connection connection, JetStream jetStream, int window, Duration timeout,
      MessagingTelemetry telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.connection = connection;
    this.jetStream = jetStream;
    this.window = window;
    this.timeout = timeout;
    this.sweeper = vertx.setPeriodic(Math.max(10, Math.min(100, timeout.toMillis() / 10)), id -> expireOverdue());
  }

  /**
   * Publishes {@code event} of {@code type} for {@code orderId}, with the message id that makes a repeat of
   * this publish within the duplicate window a no-op (see {@link EventType#messageId}).
   */
  @Override
  public <T extends Message> Future<Void> publish(EventType<T> type, String orderId, T event) {
    String messageId = type.messageId(orderId);
    PublishOptions options = PublishOptions.builder()
        .messageId(messageId)
        .expectedStream(type.stream().name())
        .build();
    return recorded(type, traced(type.subject(orderId), messageId, orderId, type.name(), new Headers(),
        event.toByteArray(), options, tap(type, orderId, event))).mapEmpty();
  }

  /**
   * Publishes {@code event} only if it is the {@code first} of its kind for the order: the stream checks, in the
   * same write, that no such event is stored yet ({@code Nats-Expected-Last-Subject-Sequence: 0}, scoped by
   * {@code Nats-Expected-Last-Subject-Sequence-Subject}). The event is thereby also its context's record of the
   * order: a step that announced its outcome needs no separate ledger, and a repeated or competing delivery
   * cannot announce a second one.
   */
  @Override
  public <T extends Message> Future<Written> publishFirst(EventType<T> type, String orderId, T event, First first) {
    String messageId = type.messageId(orderId);
    PublishOptions.Builder options = PublishOptions.builder()
        .messageId(messageId)
        .expectedStream(type.stream().name())
        .expectedLastSubjectSequence(0);
    if (first == First.IN_ITS_STREAM) {
      options.expectedLastSubjectSequenceSubject(type.stream().orderSubjects(orderId));
    }
    return recorded(type, traced(type.subject(orderId), messageId, orderId, type.name(), new Headers(),
            event.toByteArray(), options.build(), tap(type, orderId, event)))
        .map(ack -> ack.isDuplicate() ? Written.DUPLICATE : Written.STORED)
        .recover(e -> e instanceof WriteConflict ? Future.succeededFuture(Written.PREEMPTED) : Future.failedFuture(e));
  }

  /**
   * Publishes {@code event} only as the next event of its order in its stream after stream sequence {@code after}:
   * the stream checks, in the same write, that the order's last event there (of any type) is still the one at
   * {@code after}. Of two events written after the same one, only the first is stored: a decision between outcomes
   * that live on different subjects of the stream (an order confirmed or cancelled) is made once.
   */
  @Override
  public <T extends Message> Future<Written> publishAfter(EventType<T> type, String orderId, T event, long after) {
    String messageId = type.messageId(orderId);
    PublishOptions options = PublishOptions.builder()
        .messageId(messageId)
        .expectedStream(type.stream().name())
        .expectedLastSubjectSequence(after)
        .expectedLastSubjectSequenceSubject(type.stream().orderSubjects(orderId))
        .build();
    return recorded(type, traced(type.subject(orderId), messageId, orderId, type.name(), new Headers(),
            event.toByteArray(), options, tap(type, orderId, event)))
        .map(ack -> ack.isDuplicate() ? Written.DUPLICATE : Written.STORED)
        .recover(e -> e instanceof WriteConflict ? Future.succeededFuture(Written.PREEMPTED) : Future.failedFuture(e));
  }

  /** The highest stream sequence of a {@code type} event this publisher stored (0: none yet). */
  @Override
  public long lastStored(EventType<?> type) {
    AtomicLong sequence = acked.get(type);
    return sequence == null ? 0 : sequence.get();
  }

  @Override
  public void onStored(Set<StreamSpec> streams, Consumer<Stored> listener) {
    storedListeners.add(new Listening(Set.copyOf(streams), listener));
  }

  /**
   * What tells the {@link #onStored} listeners of one typed publish, once stored; {@code null} when none listens to
   * its stream, so that the saga's other publishes carry nothing for them.
   */
  private Consumer<PublishAck> tap(EventType<?> type, String orderId, Message event) {
    List<Consumer<Stored>> listeners = null;
    for (Listening listening : storedListeners) {
      if (listening.streams().contains(type.stream())) {
        listeners = listeners == null ? new ArrayList<>(1) : listeners;
        listeners.add(listening.listener());
      }
    }
    if (listeners == null) {
      return null;
    }
    List<Consumer<Stored>> told = listeners;
    return ack -> {
      if (!ack.isDuplicate()) {
        Stored stored = new Stored(type, orderId, event, ack.getSeqno());
        told.forEach(listener -> listener.accept(stored));
      }
    };
  }

  private <T extends Message> Future<PublishAck> recorded(EventType<T> type, Future<PublishAck> published) {
    return published.onSuccess(ack -> {
      if (!ack.isDuplicate()) {
        acked.computeIfAbsent(type, t -> new AtomicLong())
            .accumulateAndGet(ack.getSeqno(), Math::max);
      }
    });
  }

  /** A publish with its producer span and latency measured; {@code headers} receive the trace context. */
  Future<PublishAck> traced(String subject, String messageId, String orderId, String event, Headers headers,
      byte[] data, PublishOptions options) {
    return traced(subject, messageId, orderId, event, headers, data, options, null);
  }

  private Future<PublishAck> traced(String subject, String messageId, String orderId, String event, Headers headers,
      byte[] data, PublishOptions options, Consumer<PublishAck> onAck) {
    var span = telemetry.startPublish(subject, messageId, orderId, headers);
    long start = System.nanoTime();
    return publish(subject, headers, data, options, onAck)
        .onComplete(done -> telemetry.endPublish(span, event, start, done.cause()));
  }

  /** Publishes raw bytes; the building block of the typed publish, dead letters and key-value writes. */
  Future<PublishAck> publish(String subject, Headers headers, byte[] data, PublishOptions options) {
    return publish(subject, headers, data, options, null);
  }

  /**
   * {@code onAck}, when given, learns of the acknowledgement on jnats's thread, before the caller's context does:
   * there acknowledgements come in the order the stream stored the messages.
   */
  private Future<PublishAck> publish(String subject, Headers headers, byte[] data, PublishOptions options,
      Consumer<PublishAck> onAck) {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return Future.failedFuture(new BrokerUnavailable("not connected to NATS (" + connection.getStatus() + ")", null));
    }
    if (inFlight.incrementAndGet() > window) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new Overloaded(window + " publishes already await their acknowledgement"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<PublishAck> promise = Promise.promise();
    Outbox.send(() -> {
      CompletableFuture<PublishAck> sent;
      try {
        sent = jetStream.publishAsync(subject, withExpectations(headers, options), data);
      } catch (RuntimeException e) {
        // jnats refuses synchronously when the connection is closing or its buffers are full.
        inFlight.decrementAndGet();
        BrokerUnavailable refused = new BrokerUnavailable("NATS refused the publish: " + e.getMessage(), e);
        context.runOnContext(v -> promise.tryFail(refused));
        return;
      }
      awaiting.add(new Awaiting(sent, System.nanoTime() + timeout.toNanos()));
      sent.whenComplete((ack, failure) -> {
        inFlight.decrementAndGet();
        if (failure == null && onAck != null) {
          try {
            onAck.accept(ack);
          } catch (RuntimeException e) {
            // A listener's fault must not keep the publish from completing; a missed event is read back as a gap.
          }
        }
        context.runOnContext(v -> {
          if (failure == null) {
            promise.tryComplete(ack);
          } else {
            promise.tryFail(translate(failure));
          }
        });
      });
    });
    return promise.future();
  }

  /**
   * Puts the publish's message id and expectations into {@code headers}, which every caller makes anew for its
   * publish. Given the options instead, jnats would copy the headers to add them, a copy per publish.
   */
  public static Headers withExpectations(Headers headers, PublishOptions options) {
    if (options.getExpectedLastSequence() >= 0 || options.getExpectedLastMsgId() != null
        || options.getMessageTtl() != null) {
      throw new IllegalArgumentException("not carried by this publisher: " + options);
    }
    if (options.getMessageId() != null) {
      headers.put(NatsJetStreamConstants.MSG_ID_HDR, options.getMessageId());
    }
    if (options.getExpectedStream() != null) {
      headers.put(NatsJetStreamConstants.EXPECTED_STREAM_HDR, options.getExpectedStream());
    }
    if (options.getExpectedLastSubjectSequence() >= 0) {
      headers.put(NatsJetStreamConstants.EXPECTED_LAST_SUB_SEQ_HDR,
          Long.toString(options.getExpectedLastSubjectSequence()));
    }
    if (options.getExpectedLastSubjectSequenceSubject() != null) {
      headers.put(NatsJetStreamConstants.EXPECTED_LAST_SUB_SEQ_SUB_HDR,
          options.getExpectedLastSubjectSequenceSubject());
    }
    return headers;
  }

  /**
   * Fails the publishes whose acknowledgement is overdue. One sweep over a queue in publish order, instead of a timer
   * set and cancelled for each publish: every publish has the same deadline, so the overdue ones are at its head.
   */
  private void expireOverdue() {
    long now = System.nanoTime();
    for (Awaiting head = awaiting.peek(); head != null; head = awaiting.peek()) {
      if (!head.sent().isDone() && head.deadline() - now > 0) {
        return;
      }
      awaiting.poll();
      if (!head.sent().isDone()) { // most were acknowledged in time: an exception (and its stack) only for the rest
        head.sent().completeExceptionally(
            new TimeoutException("no acknowledgement from JetStream within " + timeout.toMillis() + " ms"));
      }
    }
  }

  /** Stops watching for overdue acknowledgements. */
  void close() {
    vertx.cancelTimer(sweeper);
  }

  /** Maps a jnats failure (often wrapped twice) onto the {@link MessagingException} catalogue. */
  public static Throwable translate(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException
        || cause.getClass() == RuntimeException.class) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof JetStreamApiException api) {
      if (api.getApiErrorCode() == WRONG_LAST_SEQUENCE || api.getApiErrorCode() == WRONG_LAST_SEQUENCE_CONSTANT) {
        return new WriteConflict(api.getErrorDescription());
      }
      return new BrokerUnavailable("JetStream refused: " + api.getMessage(), api);
    }
    if (cause instanceof CancellationException || cause instanceof TimeoutException
        || cause instanceof java.io.IOException || cause instanceof IllegalStateException) {
      return new BrokerUnavailable("NATS: " + cause.getMessage(), cause);
    }
    return cause;
  }
}
