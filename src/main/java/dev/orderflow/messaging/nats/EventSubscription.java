package dev.orderflow.messaging.nats;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.events.OrderIds;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Undecided;
import dev.orderflow.observability.LogThrottle;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.Dispatcher;
import io.nats.client.MessageConsumer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One durable pull consumer at work in this process. Messages arrive on the connection's jnats dispatcher thread
 * and are handled on the Vert.x context that subscribed (each on a duplicate of it, which carries that message's
 * trace); the handler's outcome decides the acknowledgement:
 * <ul>
 *   <li>success → {@code ack} (a plain ack: handlers are idempotent, so a lost ack costs only a redelivery);</li>
 *   <li>{@link PoisonMessage}, or a failure on the last allowed delivery → a dead-letter entry with the reason,
 *       then {@code term};</li>
 *   <li>any other failure → {@code nak} with exponential backoff; an {@link Undecided} one never runs out of
 *       retries.</li>
 * </ul>
 * In-flight messages are bounded by the consumer's {@code max_ack_pending}, enforced by the server. A handler
 * that takes longer than a third of the ack wait keeps its message with in-progress acknowledgements.
 */
public final class EventSubscription implements Subscription {

  private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);
  /**
   * At most one warning per consumer every few seconds for dead letters: a publisher of poison could otherwise flood
   * the log at the rate it publishes. Each dead letter keeps its reason in the stream (bin/deadletters), and DEBUG
   * logs every one.
   */
  private static final Duration DEAD_LETTER_WARN_INTERVAL = Duration.ofSeconds(10);
  /**
   * How long one pull request waits on the server. Shorter than jnats's default so that a pull lost by the server
   * is noticed (through missing heartbeats) within seconds even without a reconnect.
   */
  private static final long PULL_EXPIRES_MILLIS = 10_000;
  /** The longest a stopping subscription waits for its handlers: graceful shutdown must fit its own deadline. */
  private static final long STOP_DEADLINE_SECONDS = 15;

  /**
   * A delivered message, decoded (or the reason it cannot be); {@code compensable} when it is about the order its
   * subject names, so that the order's compensation may run should the event be given up.
   */
  private record Decoded(EventType<?> type, Message event, String orderId, PoisonMessage poison,
      boolean compensable) {}

  private final Vertx vertx;
  // Internal API: duplicate() (a context per message, for its trace) has no public equivalent.
  private final ContextInternal context;
  private final ConsumerSpec spec;
  private final Handlers handlers;
  private final ConsumerConfig settings;
  private final LogThrottle deadLetterWarnings = new LogThrottle(DEAD_LETTER_WARN_INTERVAL);
  private final DeadLetters deadLetters;
  private final MessagingTelemetry telemetry;
  /** The event types received, by subject prefix (the subject without the order id). */
  private final Map<String, EventType<?>> byPrefix;
  private final Consumer<EventSubscription> onStop;
  /** The connection's shared dispatcher thread, which hands each message to {@link #context}. */
  private final Dispatcher dispatcher;
  private volatile MessageConsumer consumer;
  private volatile boolean stopped;
  /** Messages being handled, with when their handling started; touched only on the event loop. */
  private final Map<io.nats.client.Message, Long> inHand = new IdentityHashMap<>();
  private long keepAliveTimer = -1;

  EventSubscription(
      Vertx vertx, Context context, ConsumerSpec spec, Handlers handlers, ConsumerConfig settings,
      DeadLetters deadLetters, MessagingTelemetry telemetry, Dispatcher dispatcher,
      Consumer<EventSubscription> onStop) {
    handlers.checkCovers(spec);
    this.vertx = vertx;
    this.context = (ContextInternal) context;
    this.spec = spec;
    this.handlers = handlers;
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.telemetry = telemetry;
    this.dispatcher = dispatcher;
    this.onStop = onStop;
    this.byPrefix = spec.events().stream().collect(Collectors.toMap(EventType::prefix, Function.identity()));
  }

  /** Starts pulling (the consumer must exist: {@link NatsBridge} provisions it). */
  Future<EventSubscription> start(Connection connection) {
    if (keepAliveTimer < 0) {
      long every = Math.max(settings.ackWait().toMillis() / 3, 100);
      context.runOnContext(v -> keepAliveTimer = vertx.setPeriodic(every, id -> keepAlive(every)));
    }
    return pull(connection);
  }

  private Future<EventSubscription> pull(Connection connection) {
    return vertx.executeBlocking(() -> {
      consumer = connection.getConsumerContext(spec.stream().name(), spec.durable()).consume(
          ConsumeOptions.builder().batchSize(settings.batchSize()).expiresIn(PULL_EXPIRES_MILLIS).build(),
          dispatcher,
          // A duplicated context per message: the message's trace stays with its own callbacks (Vert.x's idiom).
          message -> context.duplicate().runOnContext(v -> handle(message)));
      if (stopped) {
        consumer.stop(); // stopped while this (re)start was under way
      }
      return this;
    });
  }

  /**
   * Replaces the pulls in flight with new ones, after a reconnect to a server that may have lost them. Messages
   * already in hand are still handled and settled.
   */
  Future<EventSubscription> restart(Connection connection) {
    if (stopped) {
      return Future.succeededFuture(this);
    }
    MessageConsumer previous = consumer;
    if (previous != null) {
      previous.stop();
    }
    return pull(connection);
  }

  /**
   * Stops pulling and waits, up to the ack wait (at most {@value #STOP_DEADLINE_SECONDS} s), for the handlers still
   * running to finish and settle their messages. Messages not settled by then are handed back (nak),
   * and messages pulled but not yet started are handed back at once.
   */
  @Override
  public Future<Void> stop() {
    Duration deadline = settings.ackWait().compareTo(Duration.ofSeconds(STOP_DEADLINE_SECONDS)) < 0
        ? settings.ackWait() : Duration.ofSeconds(STOP_DEADLINE_SECONDS);
    stopped = true;
    onStop.accept(this);
    if (consumer != null) {
      consumer.stop();
    }
    Promise<Void> drained = Promise.promise();
    long giveUpAt = System.nanoTime() + deadline.toNanos();
    context.runOnContext(v -> awaitIdle(drained, giveUpAt));
    return drained.future();
  }

  private void awaitIdle(Promise<Void> drained, long giveUpAt) {
    if (inHand.isEmpty() || System.nanoTime() >= giveUpAt) {
      if (!inHand.isEmpty()) {
        // Handed back now rather than left to the ack wait: another instance takes them at once. Their handlers
        // are idempotent, so one that still finishes here changes nothing twice.
        LOG.warn("{}: stopping with {} messages still in hand; handing them back", spec.durable(), inHand.size());
        inHand.keySet().forEach(message -> {
          try {
            message.nak();
          } catch (RuntimeException e) {
            // disconnected: the message comes back after the ack wait
          }
        });
      }
      vertx.cancelTimer(keepAliveTimer);
      drained.complete();
    } else {
      vertx.setTimer(20, id -> awaitIdle(drained, giveUpAt));
    }
  }

  /**
   * Tells the server that messages handled for longer than a third of the ack wait are still being worked on, so
   * that it does not hand them to another instance while their handler is alive.
   */
  private void keepAlive(long everyMillis) {
    long longAgo = System.nanoTime() - everyMillis * 1_000_000;
    inHand.forEach((message, started) -> {
      if (started < longAgo) {
        try {
          message.inProgress();
        } catch (RuntimeException e) {
          // Disconnected: the message may be redelivered, which idempotent handlers tolerate.
        }
      }
    });
  }

  private void handle(io.nats.client.Message message) {
    if (stopped) {
      try {
        message.nak(); // pulled before the stop: hand it straight back for another instance
      } catch (RuntimeException e) {
        // disconnected: it comes back after the ack wait
      }
      return;
    }
    long start = System.nanoTime();
    inHand.put(message, start);
    int attempt = (int) message.metaData().deliveredCount();
    long sequence = message.metaData().streamSequence();
    Decoded decoded = decode(message);
    io.opentelemetry.context.Context parent = telemetry.extract(message.getHeaders(), decoded.orderId());
    String messageId = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Msg-Id");
    Span span = telemetry.startProcess(spec, message.getSubject(), decoded.orderId(), messageId, sequence, attempt,
        parent);
    Scope scope = parent.with(span).makeCurrent();
    Future<?> outcome;
    try {
      outcome = decoded.poison() != null ? Future.failedFuture(decoded.poison())
          : dispatch(decoded, attempt, sequence);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    if (decoded.compensable()) {
      @SuppressWarnings("unchecked")
      Future<Object> handled = (Future<Object>) outcome;
      outcome = handled.recover(failure -> failure instanceof PoisonMessage poison
          ? compensate(decoded, poison)
          : Future.failedFuture(failure));
    }
    outcome.onComplete(result -> {
      Throwable failure = result.failed() ? result.cause() : null;
      String settled = settle(message, decoded.orderId(), attempt, failure);
      String event = decoded.type() == null ? "unknown" : decoded.type().name();
      if (LOG.isDebugEnabled()) { // the arguments box and allocate even when the line is not written
        LOG.debug("{}: {} #{} delivery {} → {} in {} µs", spec.durable(), event, sequence, attempt, settled,
            (System.nanoTime() - start) / 1_000);
      }
      telemetry.endProcess(span, spec, event, start, settled, failure);
      scope.close();
      inHand.remove(message);
    });
  }

  private Decoded decode(io.nats.client.Message message) {
    String subject = message.getSubject();
    int dot = subject.lastIndexOf('.');
    EventType<?> type = dot < 0 ? null : byPrefix.get(subject.substring(0, dot));
    if (type == null) {
      return new Decoded(null, null, null, new PoisonMessage("no handler for subject " + subject), false);
    }
    return decode(type, subject.substring(dot + 1), message.getData());
  }

  private static <T extends Message> Decoded decode(EventType<T> type, String subjectOrderId, byte[] data) {
    T event;
    try {
      event = type.parse(data);
    } catch (InvalidProtocolBufferException e) {
      return new Decoded(type, null, null, new PoisonMessage("undecodable " + type.name() + ": " + e.getMessage()),
          false);
    }
    String orderId = type.orderIdOf().apply(event);
    if (!OrderIds.valid(orderId)) {
      // Order ids name every record; one that cannot be a subject token can never be handled.
      return new Decoded(type, event, null, new PoisonMessage("invalid " + type.name() + ": " + (orderId.isEmpty()
          ? "order_id is missing"
          : "order_id '" + orderId.substring(0, Math.min(orderId.length(), OrderIds.MAX_LENGTH))
              + "' is not an order id")), false);
    }
    if (!orderId.equals(subjectOrderId)) {
      // Not compensated: an event copied onto another order's subject says nothing about either order.
      return new Decoded(type, event, orderId, new PoisonMessage("invalid " + type.name() + ": published on the "
          + "subject of order " + subjectOrderId + " but is about order " + orderId), false);
    }
    String problem = type.problemOf().apply(event);
    if (problem != null) {
      return new Decoded(type, event, orderId, new PoisonMessage("invalid " + type.name() + " " + orderId + ": "
          + problem), true);
    }
    return new Decoded(type, event, orderId, null, true);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<?> dispatch(Decoded decoded, int attempt, long sequence) {
    EventType type = decoded.type();
    return handlers.handler(type).handle(new Delivery<>(decoded.event(), attempt, settings.maxDeliver(), sequence));
  }

  /**
   * Runs the order's compensation for a poison event, then fails with the poison, to be dead-lettered. A
   * compensation that fails is not poison: the message comes back after a backoff to try again (and is
   * dead-lettered, with both reasons, once its deliveries are used up).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<Object> compensate(Decoded decoded, PoisonMessage poison) {
    Handlers.GiveUp giveUp = handlers.giveUp((EventType) decoded.type());
    if (giveUp == null) {
      return Future.failedFuture(poison);
    }
    Future<?> compensated;
    try {
      compensated = giveUp.giveUp(decoded.event(), poison.getMessage());
    } catch (RuntimeException e) {
      compensated = Future.failedFuture(e);
    }
    return compensated.transform(done -> Future.failedFuture(done.succeeded() ? poison
        : new IllegalStateException(poison.getMessage() + "; its compensation failed: " + describe(done.cause()),
            done.cause())));
  }

  /** Acknowledges, retries or gives up the message; answers which (ack, nak or term). */
  private String settle(io.nats.client.Message message, String orderId, int attempt, Throwable failure) {
    try {
      if (failure == null) {
        return settleLater(message, "ack", message::ack);
      }
      if (failure instanceof PoisonMessage) {
        deadLetter(message, orderId, failure.getMessage());
        return "term";
      }
      if (attempt >= settings.maxDeliver() && !(failure instanceof Undecided)) {
        deadLetter(message, orderId, "gave up after " + attempt + " deliveries: " + describe(failure));
        return "term";
      }
      Duration delay = settings.backoff(attempt);
      LOG.debug("{}: delivery {} of {} failed, retrying in {} ms: {}",
          spec.durable(), attempt, message.getSubject(), delay.toMillis(), describe(failure));
      return settleLater(message, "nak", () -> message.nakWithDelay(delay));
    } catch (RuntimeException e) {
      // The connection is down; the server redelivers after the ack wait, and handlers are idempotent.
      LOG.debug("{}: could not settle a message: {}", spec.durable(), e.getMessage());
      return "unsettled";
    }
  }

  /**
   * Sends an ack or nak through the {@link Outbox}, after its handler's turn on the event loop; answers {@code what},
   * or "unsettled" when the connection is closed and cannot take it (jnats would refuse it).
   */
  private String settleLater(io.nats.client.Message message, String what, Runnable settle) {
    Connection connection = message.getConnection();
    if (connection != null && connection.getStatus() == Connection.Status.CLOSED) {
      // The server redelivers after the ack wait, and handlers are idempotent.
      return "unsettled";
    }
    Outbox.send(() -> {
      try {
        settle.run();
      } catch (RuntimeException e) {
        // Closed since: as above.
        LOG.debug("{}: could not {} {}: {}", spec.durable(), what, message.getSubject(), e.getMessage());
      }
    });
    return what;
  }

  private void deadLetter(io.nats.client.Message message, String orderId, String reason) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: dead-lettering {} #{}: {}",
          spec.durable(), message.getSubject(), message.metaData().streamSequence(), reason);
    } else if (deadLetterWarnings.allow()) {
      LOG.warn("{}: dead-lettering {} #{}: {} ({} more since the last such line; bin/deadletters lists them all)",
          spec.durable(), message.getSubject(), message.metaData().streamSequence(), reason,
          deadLetterWarnings.suppressed());
    }
    deadLetters.store(spec, message, orderId, reason).onComplete(stored -> {
      if (stored.succeeded()) {
        message.term();
      } else {
        // Never drop a message unrecorded: let it come back and try the dead-letter stream again.
        message.nakWithDelay(settings.backoffMax());
      }
    });
  }

  private static String describe(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }
}
