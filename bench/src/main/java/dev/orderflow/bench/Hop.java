package dev.orderflow.bench;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStream;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * One hop of the probe's saga, on an event loop of its own as an Orderflow consumer is: each message is handed to
 * the verticle's context, which publishes the next event and acknowledges the message once the stream has that
 * event (or, at the last hop, acknowledges it and counts the order done).
 */
final class Hop extends VerticleBase {

  private final Connection nats;
  private final String stream;
  private final String durable;
  private final String next;
  private final ProbeMetrics metrics;
  private JetStream jetStream;
  private MessageConsumer consumer;

  /** @param next the subject of the next hop's event; null at the last hop */
  Hop(Connection nats, String stream, String durable, String next, ProbeMetrics metrics) {
    this.nats = nats;
    this.stream = stream;
    this.durable = durable;
    this.next = next;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() throws Exception {
    jetStream = nats.jetStream();
    consumer = nats.getStreamContext(stream).getConsumerContext(durable)
        .consume(ConsumeOptions.builder().batchSize(CeilingProbe.BATCH).build(),
            message -> context.runOnContext(v -> handle(message)));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() throws Exception {
    consumer.stop();
    return Future.succeededFuture();
  }

  private void handle(Message message) {
    if (next == null) {
      metrics.done(System.nanoTime() - new JsonObject(new String(message.getData())).getLong("placedNanos"));
      message.ack();
      return;
    }
    Future.fromCompletionStage(jetStream.publishAsync(next, message.getData()), context)
        .onComplete(published -> {
          if (published.succeeded()) {
            message.ack();
          } else {
            message.nak();
          }
        });
  }
}
