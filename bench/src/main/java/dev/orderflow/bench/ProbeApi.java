package dev.orderflow.bench;

import io.nats.client.JetStream;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.UUID;

/** The probe's HTTP side: takes an order, stores it as the first event, answers 202 once the stream has it. */
final class ProbeApi extends VerticleBase {

  private final int port;
  private final JetStream jetStream;
  private final String subject;
  private final ProbeMetrics metrics;

  ProbeApi(int port, JetStream jetStream, String subject, ProbeMetrics metrics) {
    this.port = port;
    this.jetStream = jetStream;
    this.subject = subject;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.post("/orders").handler(BodyHandler.create(false).setBodyLimit(65_536)).handler(this::place);
    router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4")
        .end(metrics.text()));
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router)
        .listen(port, "127.0.0.1");
  }

  /** Reads the order (any JSON object), wraps it in an event with an order id and the time it arrived. */
  private void place(RoutingContext ctx) {
    long arrived = System.nanoTime();
    JsonObject order;
    try {
      order = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      order = null;
    }
    if (order == null) {
      metrics.rejected(400);
      ctx.response().setStatusCode(400).end();
      return;
    }
    String orderId = UUID.randomUUID().toString();
    Buffer event = new JsonObject().put("orderId", orderId).put("placedNanos", arrived).put("order", order)
        .toBuffer();
    Future.fromCompletionStage(jetStream.publishAsync(subject, event.getBytes()), context)
        .onSuccess(ack -> {
          metrics.accepted();
          ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
              .end("{\"orderId\":\"" + orderId + "\",\"status\":\"PENDING\"}");
        })
        .onFailure(failure -> {
          metrics.rejected(503);
          ctx.response().setStatusCode(503).end();
        });
  }
}
