package dev.orderflow.messaging;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.config.ConsumerConfig;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.MessageConsumer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One durable pull consumer at work in this process. Messages arrive on a jnats dispatcher thread and are handled
 * on the Vert.x context that subscribed; the handler's outcome decides the acknowledgement:
 * <ul>
 *   <li>success → {@code ack} (a plain ack: handlers are idempotent, so a lost ack costs only a redelivery);</li>
 *   <li>{@link PoisonMessage}, or a failure on the last allowed delivery → a dead-letter entry with the reason,
 *       then {@code term};</li>
 *   <li>any other failure → {@code nak} with exponential backoff.</li>
 * </ul>
 * In-flight messages are bounded by the consumer's {@code max_ack_pending}, enforced by the server.
 */
public final class EventSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);
  /**
   * How long one pull request waits on the server. Shorter than jnats's default so that a pull lost by the server
   * is noticed (through missing heartbeats) within seconds even without a reconnect.
   */
  private static final long PULL_EXPIRES_MILLIS = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final ConsumerSpec spec;
  private final Handlers handlers;
  private final ConsumerConfig settings;
  private final DeadLetters deadLetters;
  private final Map<String, EventType<?>> bySubject;
  private final Consumer<EventSubscription> onStop;
  private volatile MessageConsumer consumer;
  private volatile boolean stopped;
  private int inFlight;

  EventSubscription(
      Vertx vertx, Context context, ConsumerSpec spec, Handlers handlers, ConsumerConfig settings,
      DeadLetters deadLetters, Consumer<EventSubscription> onStop) {
    handlers.checkCovers(spec);
    this.vertx = vertx;
    this.context = context;
    this.spec = spec;
    this.handlers = handlers;
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.onStop = onStop;
    this.bySubject = spec.events().stream().collect(Collectors.toMap(EventType::subject, Function.identity()));
  }

  /** Starts pulling (the consumer must exist: {@link NatsBridge} provisions it). */
  Future<EventSubscription> start(Connection connection) {
    return vertx.executeBlocking(() -> {
      consumer = connection.getConsumerContext(spec.stream().name(), spec.durable()).consume(
          ConsumeOptions.builder().batchSize(settings.batchSize()).expiresIn(PULL_EXPIRES_MILLIS).build(),
          message -> context.runOnContext(v -> handle(message)));
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
    return start(connection);
  }

  /**
   * Stops pulling and waits, up to {@code deadline}, for the handlers still running to finish and settle their
   * messages. Messages not settled by then are redelivered by the server after the ack wait.
   */
  public Future<Void> stop(Duration deadline) {
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
    if (inFlight == 0 || System.nanoTime() >= giveUpAt) {
      if (inFlight > 0) {
        LOG.warn("{}: stopping with {} messages still in hand; they will be redelivered", spec.durable(), inFlight);
      }
      drained.complete();
    } else {
      vertx.setTimer(20, id -> awaitIdle(drained, giveUpAt));
    }
  }

  private void handle(io.nats.client.Message message) {
    inFlight++;
    int attempt = (int) message.metaData().deliveredCount();
    Future<?> outcome;
    try {
      outcome = dispatch(message, attempt);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(result -> {
      inFlight--;
      settle(message, attempt, result.failed() ? result.cause() : null);
    });
  }

  private Future<?> dispatch(io.nats.client.Message message, int attempt) {
    EventType<?> type = bySubject.get(message.getSubject());
    if (type == null) {
      throw new PoisonMessage("no handler for subject " + message.getSubject());
    }
    return dispatch(type, message, attempt);
  }

  private <T extends Message> Future<?> dispatch(EventType<T> type, io.nats.client.Message message, int attempt) {
    T event;
    try {
      event = type.parse(message.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new PoisonMessage("undecodable " + type.name() + ": " + e.getMessage());
    }
    requireText(event, "order_id");
    requireText(event, "event_id");
    long sequence = message.metaData().streamSequence();
    return handlers.handler(type).handle(new Delivery<>(event, type, sequence, attempt, settings.maxDeliver()));
  }

  /** Every event carries these ids; without them it cannot be handled idempotently, so it is poison. */
  private static void requireText(Message event, String field) {
    FieldDescriptor descriptor = event.getDescriptorForType().findFieldByName(field);
    if (descriptor == null || ((String) event.getField(descriptor)).isBlank()) {
      throw new PoisonMessage("invalid " + event.getDescriptorForType().getName() + ": " + field + " is missing");
    }
  }

  private void settle(io.nats.client.Message message, int attempt, Throwable failure) {
    try {
      if (failure == null) {
        message.ack();
      } else if (failure instanceof PoisonMessage) {
        deadLetter(message, failure.getMessage());
      } else if (attempt >= settings.maxDeliver()) {
        deadLetter(message, "gave up after " + attempt + " deliveries: " + describe(failure));
      } else {
        Duration delay = settings.backoff(attempt);
        LOG.debug("{}: delivery {} of {} failed, retrying in {} ms: {}",
            spec.durable(), attempt, message.getSubject(), delay.toMillis(), describe(failure));
        message.nakWithDelay(delay);
      }
    } catch (RuntimeException e) {
      // The connection is down; the server redelivers after the ack wait, and handlers are idempotent.
      LOG.debug("{}: could not settle a message: {}", spec.durable(), e.getMessage());
    }
  }

  private void deadLetter(io.nats.client.Message message, String reason) {
    LOG.warn("{}: dead-lettering {} #{}: {}",
        spec.durable(), message.getSubject(), message.metaData().streamSequence(), reason);
    deadLetters.store(spec, message, reason).onComplete(stored -> {
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
