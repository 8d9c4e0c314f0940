package dev.orderflow.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a request may start work: not once the service is shutting down, and not beyond
 * {@code limit} requests in progress at once across all server instances of the process. Refused requests are
 * answered 503 with {@code Retry-After} straight away instead of queueing.
 */
public final class Admission implements PlatformHandler {

  private static final long DRAIN_POLL_MILLIS = 10;

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

  /**
   * Completes once no admitted request is in progress, or after {@code timeout}, whichever comes first (polled:
   * the count changes on every event loop).
   */
  public Future<Void> drained(Vertx vertx, Duration timeout) {
    Promise<Void> drained = Promise.promise();
    long deadline = System.nanoTime() + timeout.toNanos();
    poll(vertx, deadline, drained);
    return drained.future();
  }

  private void poll(Vertx vertx, long deadline, Promise<Void> drained) {
    if (inFlight.get() <= 0 || System.nanoTime() - deadline > 0) {
      drained.complete();
    } else {
      vertx.setTimer(DRAIN_POLL_MILLIS, id -> poll(vertx, deadline, drained));
    }
  }
}
