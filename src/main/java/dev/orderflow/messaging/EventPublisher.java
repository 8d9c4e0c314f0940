package dev.orderflow.messaging;

import com.google.protobuf.Message;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes to JetStream without blocking: every publish is asynchronous, at most {@code window} await their
 * acknowledgement at once (beyond that a publish fails fast with {@link Overloaded}), and each completes only
 * when the stream acknowledged it, or fails with {@link BrokerUnavailable} after {@code timeout}.
 *
 * <p>Thread-safe; futures complete on the caller's Vert.x context.
 */
public final class EventPublisher {

  /** The JetStream error code for a failed expected-last-sequence check. */
  static final int WRONG_LAST_SEQUENCE = 10071;

  private final Vertx vertx;
  private final Connection connection;
  private final JetStream jetStream;
  private final int window;
  private final Duration timeout;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final MessagingTelemetry telemetry;

  EventPublisher(Vertx vertx, Connection connection, JetStream jetStream, int window, Duration timeout,
      MessagingTelemetry telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.connection = connection;
    this.jetStream = jetStream;
    this.window = window;
    this.timeout = timeout;
  }

  /**
   * Publishes {@code event} of {@code type} for {@code orderId}, with the message id that makes a repeat of
   * this publish a no-op (see {@link EventType#messageId}).
   */
  public <T extends Message> Future<Void> publish(EventType<T> type, String orderId, T event) {
    String messageId = type.messageId(orderId);
    PublishOptions options = PublishOptions.builder()
        .messageId(messageId)
        .expectedStream(type.stream().name())
        .build();
    return traced(type.subject(), messageId, orderId, type.name(), new Headers(), event.toByteArray(), options);
  }

  /** A publish with its producer span and latency measured; {@code headers} receive the trace context. */
  Future<Void> traced(String subject, String messageId, String orderId, String event, Headers headers, byte[] data,
      PublishOptions options) {
    var span = telemetry.startPublish(subject, messageId, orderId, headers);
    long start = System.nanoTime();
    return publish(subject, headers, data, options)
        .onComplete(done -> telemetry.endPublish(span, event, start, done.cause()))
        .mapEmpty();
  }

  /** Publishes raw bytes; the building block of the typed publish, dead letters and key-value writes. */
  Future<PublishAck> publish(String subject, Headers headers, byte[] data, PublishOptions options) {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return Future.failedFuture(new BrokerUnavailable("not connected to NATS (" + connection.getStatus() + ")", null));
    }
    if (inFlight.incrementAndGet() > window) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new Overloaded(window + " publishes already await their acknowledgement"));
    }
    CompletableFuture<PublishAck> sent;
    try {
      sent = jetStream.publishAsync(subject, headers, data, options);
    } catch (RuntimeException e) {
      // jnats refuses synchronously when the connection is closing or its buffers are full.
      inFlight.decrementAndGet();
      return Future.failedFuture(new BrokerUnavailable("NATS refused the publish: " + e.getMessage(), e));
    }
    Context context = vertx.getOrCreateContext();
    Promise<PublishAck> promise = Promise.promise();
    long timer = vertx.setTimer(timeout.toMillis(), id -> promise.tryFail(
        new BrokerUnavailable("no acknowledgement from JetStream within " + timeout.toMillis() + " ms", null)));
    sent.whenComplete((ack, failure) -> {
      inFlight.decrementAndGet();
      context.runOnContext(v -> {
        vertx.cancelTimer(timer);
        if (failure == null) {
          promise.tryComplete(ack);
        } else {
          promise.tryFail(translate(failure));
        }
      });
    });
    return promise.future();
  }

  /** Maps a jnats failure (often wrapped twice) onto the {@link MessagingException} catalogue. */
  static Throwable translate(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException
        || cause.getClass() == RuntimeException.class) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof JetStreamApiException api) {
      if (api.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
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
