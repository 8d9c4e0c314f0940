package dev.orderflow.http;

import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a request may start work: not once the service is shutting down, and not beyond
 * {@code limit} requests in progress at once across all server instances of the process. Refused requests are
 * answered 503 with {@code Retry-After} straight away instead of queueing.
 */
public final class Admission implements PlatformHandler {

  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  public Admission(int limit) {
    this.limit = limit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (closed) {
      ctx.fail(HttpProblem.unavailable("shutting-down", "Shutting down",
          "This instance is shutting down; try again (another instance will take the request)"));
      return;
    }
    if (inFlight.incrementAndGet() > limit) {
      inFlight.decrementAndGet();
      ctx.fail(HttpProblem.unavailable("overloaded", "Too busy right now",
          limit + " requests are already in progress; try again shortly"));
      return;
    }
    ctx.addEndHandler(done -> inFlight.decrementAndGet());
    ctx.next();
  }

  /** From now on every request is refused (graceful shutdown; readiness reports down too). */
  public void close() {
    closed = true;
  }

  public boolean closed() {
    return closed;
  }
}
