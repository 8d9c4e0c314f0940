package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.Topology;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.vertx.core.Future;

/**
 * Keeps a copy of every message given up on in the dead-letter stream: the original body and headers, plus
 * headers saying where it came from, how often it was tried and why it was given up.
 */
public final class DeadLetters {

  public static final String REASON = "Orderflow-Dead-Letter-Reason";
  public static final String ORIGINAL_SUBJECT = "Orderflow-Original-Subject";
  public static final String ORIGINAL_STREAM = "Orderflow-Original-Stream";
  public static final String ORIGINAL_SEQUENCE = "Orderflow-Original-Sequence";
  public static final String DELIVERIES = "Orderflow-Deliveries";

  private final NatsEventPublisher publisher;
  private final MessagingTelemetry telemetry;

  DeadLetters(NatsEventPublisher publisher, MessagingTelemetry telemetry) {
    this.publisher = publisher;
    this.telemetry = telemetry;
  }

  /** Stores the dead letter; {@code orderId} may be null when the message could not be read. */
  Future<Void> store(ConsumerSpec consumer, io.nats.client.Message message, String orderId, String reason) {
    NatsJetStreamMetaData meta = message.metaData();
    Headers headers = new Headers();
    if (message.getHeaders() != null) {
      // The original's own headers go along (its trace context), but not JetStream's: its expectations (such as
      // "the last event of the order is the one at sequence N") would be checked against the dead-letter stream,
      // where they can never hold, and the copy would never be stored.
      message.getHeaders().entrySet().stream()
          .filter(header -> !header.getKey().startsWith("Nats-"))
          .forEach(header -> headers.put(header.getKey(), header.getValue()));
    }
    headers.put(REASON, reason.replaceAll("[\\r\\n]+", " "));
    headers.put(ORIGINAL_SUBJECT, message.getSubject());
    headers.put(ORIGINAL_STREAM, meta.getStream());
    headers.put(ORIGINAL_SEQUENCE, Long.toString(meta.streamSequence()));
    headers.put(DELIVERIES, Long.toString(meta.deliveredCount()));
    // One entry per message and consumer, however often this is retried.
    String messageId = "dl:" + consumer.durable() + ":" + meta.getStream() + ":" + meta.streamSequence();
    PublishOptions options = PublishOptions.builder()
        .expectedStream(Topology.DEAD_LETTERS.name())
        .messageId(messageId)
        .build();
    return publisher.traced(Topology.deadLetterSubject(consumer), messageId, orderId == null ? "" : orderId,
            "DeadLetter", headers, message.getData(), options)
        .<Void>mapEmpty()
        .onSuccess(v -> telemetry.deadLettered(consumer));
  }
}
