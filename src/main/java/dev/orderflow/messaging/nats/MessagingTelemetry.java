package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.ConsumerSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traces and measures the bridge. Every event publish gets a PRODUCER span and every handled message a CONSUMER
 * span, following OpenTelemetry's messaging conventions ({@code messaging.system=nats}, the subject as
 * destination, the {@code Nats-Msg-Id} as message id, the durable as consumer group). The W3C
 * {@code traceparent}/{@code tracestate} travel in the NATS headers, so one order is one trace across every hop.
 * No {@code baggage} does: the only entry Orderflow sets is the order id, which every event carries in its body and
 * subject, and which the consumer puts back into the baggage (logs show it); anything else would be a caller's data,
 * copied into every event of the order and kept as long as the streams keep them.
 */
final class MessagingTelemetry {

  /** The baggage entry that names the order being worked on; logs show it as {@code baggage.order_id}. */
  static final String ORDER_ID = "order_id";

  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> TEMPLATE = AttributeKey.stringKey("messaging.destination.template");
  private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
  private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey("messaging.nats.delivery_count");
  private static final AttributeKey<Long> STREAM_SEQUENCE = AttributeKey.longKey("messaging.nats.stream_sequence");
  /** Histogram buckets shared by the messaging timers, from a fast local round trip to a slow redelivery. */
  private static final Duration[] BUCKETS = List.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
      .stream().map(Duration::ofMillis).toArray(Duration[]::new);

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> headers.put(key, value);
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      return headers.keySet();
    }

    @Override
    public String get(Headers headers, String key) {
      return headers == null ? null : headers.getFirst(key);
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final MeterRegistry registry;
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();

  MessagingTelemetry(OpenTelemetry openTelemetry, MeterRegistry registry) {
    this.tracer = openTelemetry.getTracer("dev.orderflow.messaging");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.registry = registry;
  }

  /**
   * Starts the producer span of a publish, as a child of the current context, and writes its trace context (no
   * baggage, see above) into {@code headers}.
   */
  Span startPublish(String subject, String messageId, String orderId, Headers headers) {
    Context parent = Context.current();
    String template = template(subject, orderId);
    Span span = tracer.spanBuilder("publish " + template)
        .setParent(parent)
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(SYSTEM, "nats")
        .setAttribute(DESTINATION, subject)
        .setAttribute(TEMPLATE, template)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "publish")
        .setAttribute(MESSAGE_ID, messageId)
        .startSpan();
    propagator.inject(withoutBaggage(parent.with(span)), headers, SETTER);
    return span;
  }

  /** Ends a producer span and records the publish latency (to the stream's acknowledgement). */
  void endPublish(Span span, String event, long startNanos, Throwable failure) {
    end(span, failure);
    timer("orderflow.publish.duration", "Time from publish to the stream's acknowledgement",
        "event", event, "outcome", failure == null ? "ok" : "failed")
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The trace context a message carries, with the order id as the only baggage: whatever baggage the headers hold
   * (a publisher other than Orderflow, an older version) is dropped.
   */
  Context extract(Headers headers, String orderId) {
    Context carried = withoutBaggage(headers == null ? Context.root()
        : propagator.extract(Context.root(), headers, GETTER));
    return orderId == null ? carried : withOrder(carried, orderId);
  }

  /** Starts the consumer span of one delivery, as a child of the publisher's span. */
  Span startProcess(ConsumerSpec consumer, String subject, String orderId, String messageId, long sequence,
      int attempt, Context parent) {
    String template = template(subject, orderId);
    return tracer.spanBuilder("process " + template)
        .setParent(parent)
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(SYSTEM, "nats")
        .setAttribute(DESTINATION, subject)
        .setAttribute(TEMPLATE, template)
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(OPERATION_NAME, "process")
        .setAttribute(CONSUMER_GROUP, consumer.durable())
        .setAttribute(MESSAGE_ID, messageId == null ? "" : messageId)
        .setAttribute(STREAM_SEQUENCE, sequence)
        .setAttribute(DELIVERY_COUNT, (long) attempt)
        .startSpan();
  }

  /**
   * Ends a consumer span and records how long the handler took and what became of the message.
   *
   * @param outcome ack, nak or term
   */
  void endProcess(Span span, ConsumerSpec consumer, String event, long startNanos, String outcome,
      Throwable failure) {
    end(span, failure);
    timer("orderflow.handler.duration", "Time to handle one delivered message, by consumer, event and outcome",
        "consumer", consumer.durable(), "event", event, "outcome", outcome)
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void deadLettered(ConsumerSpec consumer) {
    deadLetterCounter(consumer).increment();
  }

  private Counter deadLetterCounter(ConsumerSpec consumer) {
    return deadLetters.computeIfAbsent(consumer.durable(), durable -> Counter.builder("orderflow.dead.letters")
        .description("Messages given up on and copied to the dead-letter stream")
        .tag("consumer", durable)
        .register(registry));
  }

  /** Records a consumer's backlog: messages not yet delivered, and delivered but not yet acknowledged. */
  void consumerLag(ConsumerSpec consumer, long pending, long ackPending) {
    gauge("orderflow.consumer.pending", "Messages in the stream not yet delivered to the consumer", consumer)
        .set(pending);
    gauge("orderflow.consumer.ack.pending", "Messages delivered to the consumer and not yet acknowledged", consumer)
        .set(ackPending);
  }

  /**
   * Every consumer's lag gauges and dead-letter counter, so that they exist (at zero) before the first check and
   * the first dead letter: a dashboard or an alert then sees 0, not "no data".
   */
  void registerConsumers(List<ConsumerSpec> consumers) {
    consumers.forEach(consumer -> consumerLag(consumer, 0, 0));
    consumers.forEach(this::deadLetterCounter);
  }

  private AtomicLong gauge(String name, String description, ConsumerSpec consumer) {
    return lag.computeIfAbsent(name + "|" + consumer.durable(), key -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::get).description(description).tag("consumer", consumer.durable())
          .register(registry);
      return value;
    });
  }

  /** A timer's identity: its name and tags, compared without building a string on every message. */
  private record TimerKey(String name, List<String> tags) {}

  private Timer timer(String name, String description, String... tags) {
    return timers.computeIfAbsent(new TimerKey(name, Arrays.asList(tags)), key -> Timer.builder(name)
        .description(description)
        .tags(tags)
        .serviceLevelObjectives(BUCKETS)
        .register(registry));
  }

  private static void end(Span span, Throwable failure) {
    if (failure != null) {
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }
    span.end();
  }

  /**
   * The subject with its order id replaced by {@code {order_id}}: span names must not carry an id (OpenTelemetry's
   * messaging conventions), and the template groups every order's spans of one event.
   */
  private static String template(String subject, String orderId) {
    if (orderId == null || orderId.isEmpty() || !subject.endsWith("." + orderId)) {
      return subject;
    }
    return subject.substring(0, subject.length() - orderId.length()) + "{order_id}";
  }

  private static Context withOrder(Context context, String orderId) {
    return Baggage.fromContext(context).toBuilder().put(ORDER_ID, orderId).build().storeInContext(context);
  }

  private static Context withoutBaggage(Context context) {
    return Baggage.fromContext(context).isEmpty() ? context : Baggage.empty().storeInContext(context);
  }
}
