package dev.orderflow.http;

import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.Overloaded;
import dev.orderflow.observability.LogThrottle;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP answers: every error leaves as problem+json. */
final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);
  static final String PROBLEM_JSON = "application/problem+json";
  private static final LogThrottle BROKER_REFUSALS = new LogThrottle(Duration.ofMinutes(1));

  private final int retryAfterSeconds;

  Failures(int retryAfterSeconds) {
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Failure handler: for handlers that failed the context with an exception or a status code. */
  void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    write(ctx, problemFor(ctx));
  }

  /** Error handler: for requests no route matched, or that failed before a route (status code only). */
  void handleStatus(RoutingContext ctx) {
    write(ctx, forStatus(ctx.statusCode(), ctx.request().method() + " " + ctx.request().path()));
  }

  void write(RoutingContext ctx, HttpProblem problem) {
    write(ctx.response(), problem, ctx.request().path());
  }

  /** Writes {@code problem} as the answer; for the edge, where there is no routing context. */
  Future<Void> write(HttpServerResponse response, HttpProblem problem, String instance) {
    if (response.headWritten() || response.closed()) {
      return Future.succeededFuture();
    }
    response.setStatusCode(problem.status()).putHeader("Content-Type", PROBLEM_JSON);
    if (problem.retryable()) {
      response.putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }
    problem.headers().forEach(response::putHeader);
    return response.end(problem.toJson(instance == null ? "" : instance).encode());
  }

  private HttpProblem problemFor(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpProblem problem) {
      return problem;
    }
    if (failure instanceof Overloaded overloaded) {
      return HttpProblem.unavailable("overloaded", "Too busy right now", overloaded.getMessage());
    }
    if (failure instanceof BrokerUnavailable unavailable) {
      // One line per refused request would flood the log for as long as the broker is away (the bridge already
      // says when the connection is lost and back): each at debug, a summary at most once a minute.
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} {}: {}", ctx.request().method(), ctx.request().path(), unavailable.getMessage());
      } else if (BROKER_REFUSALS.allow()) {
        LOG.warn("{} {}: {} ({} more such answers since the last such line)", ctx.request().method(),
            ctx.request().path(), unavailable.getMessage(), BROKER_REFUSALS.suppressed());
      }
      return HttpProblem.unavailable("broker-unavailable", "The order was not confirmed in time",
          "The message broker did not confirm in time, so the order was not accepted; it may still have been "
              + "stored. Retry with the same Idempotency-Key to be sure of exactly one order: "
              + unavailable.getMessage());
    }
    if (failure == null) {
      return forStatus(ctx.statusCode(), ctx.request().method() + " " + ctx.request().path());
    }
    if (clientFault(failure) || !ctx.request().isEnded()) {
      // A broken request body (bad chunk framing, a connection closed half-way): the client's fault, and one any
      // client can repeat at will, so it never logs a stack trace.
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} {}: malformed request: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      }
      return HttpProblem.of(400, "malformed-request", "Malformed request",
          "The request could not be read: " + failure.getMessage());
    }
    LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    return HttpProblem.of(500, "internal-error", "Internal error", "An unexpected error occurred; it was logged.");
  }

  /**
   * Failures raised while reading the request itself rather than by our code (a failure before the request
   * ended is one too: our handlers run on complete requests).
   */
  private static boolean clientFault(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DecoderException || t instanceof HttpClosedException
          || t instanceof TooLongFrameException) {
        return true;
      }
    }
    return false;
  }

  private static HttpProblem forStatus(int status, String request) {
    return switch (status) {
      case 404 -> HttpProblem.notFound("No resource at " + request);
      case 400 -> HttpProblem.of(400, "malformed-request", "Malformed request", request + " could not be read");
      case 405 -> HttpProblem.of(405, "method-not-allowed", "Method not allowed", request + " is not supported");
      case 413 -> HttpProblem.of(413, "body-too-large", "Request body too large",
          "The request body is larger than this API accepts");
      case 408 -> HttpProblem.of(408, "request-timeout", "Request timeout",
          "The request did not arrive in time");
      case 414 -> HttpProblem.of(414, "uri-too-long", "Request line too long",
          "The request line is longer than this API accepts");
      case 431 -> HttpProblem.of(431, "headers-too-large", "Request headers too large",
          "The request headers are larger than this API accepts");
      case 415 -> HttpProblem.of(415, "unsupported-media-type", "Unsupported media type",
          "Send the body as application/json");
      case 503 -> HttpProblem.unavailable("unavailable", "Service unavailable", "Try again shortly");
      default -> status >= 400 && status < 500
          ? HttpProblem.of(status, "bad-request", "Bad request", request + " could not be handled")
          : HttpProblem.of(500, "internal-error", "Internal error", "An unexpected error occurred; it was logged.");
    };
  }
}
