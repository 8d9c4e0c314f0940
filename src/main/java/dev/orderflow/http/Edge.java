package dev.orderflow.http;

import dev.orderflow.config.HttpConfig;
import dev.orderflow.config.LimitsConfig;
import dev.orderflow.observability.LogThrottle;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a request before the router sees it, and to what never becomes a request: requests the codec
 * could not read (400, 414, 431), HTTP/1.1 without {@code Host} (400), requests that do not arrive in time (408,
 * then the connection closes; a connection whose next request head has not arrived within the read timeout of its
 * opening or of its last answer is closed), connections of a client beyond {@code limits.maxConnectionsPerClient}
 * (closed at once), and connection-level errors (logged at debug, with at most one warning a minute). Every answer
 * is problem+json.
 */
final class Edge {

  private static final Logger LOG = LoggerFactory.getLogger(Edge.class);
  private static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
  /** A '%' not followed by two hex digits: the router's path decoding would fail on it with a 500. */
  private static final Pattern BAD_PERCENT_ENCODING = Pattern.compile("%(?![0-9A-Fa-f]{2})");

  private final Vertx vertx;
  private final HttpConfig config;
  private final Failures failures;
  private final Admission admission;
  private final ApiListener listener;
  /** How long a request may take to arrive completely: the shorter of the two settings that bound it. */
  private final long readTimeoutMillis;
  /**
   * Requests that had not fully arrived when they reached the router, oldest first, with when they are overdue;
   * touched only by this server instance's event loop. One sweep a few times a second, rather than a timer per
   * request: a timer would hold its request, body and routing state until it fires (seconds later), which at
   * thousands of requests a second is hundreds of megabytes kept alive for nothing.
   */
  private final ArrayDeque<Arriving> arriving = new ArrayDeque<>();
  private long sweeper = -1;
  /**
   * This server instance's connections and what each is doing; touched only by its event loop. Between requests a
   * connection must bring its next request head within the read timeout, as a new one must bring its first: else a
   * client could hold it for ever by sending a header line now and then, each resetting the idle timeout.
   */
  private final Map<HttpConnection, Watch> connections = new HashMap<>();
  private final Set<String> exemptClients;
  private final int maxConnectionsPerClient;
  private final long pauseAfterRefusalNanos;
  // Shared by every server instance of the process: the limit is per process, not per event loop.
  private static final LogThrottle connectionErrors = new LogThrottle(WARN_INTERVAL);
  private static final LogThrottle invalidRequests = new LogThrottle(WARN_INTERVAL);
  private static final LogThrottle refusedConnections = new LogThrottle(WARN_INTERVAL);

  private record Arriving(HttpServerRequest request, long overdueAt) {}

  /**
   * Answers that refuse a request for what it is or who sent it, after which the connection's next request waits for
   * {@code limits.pauseAfterRefusalMs}: they are what a client can make us produce as fast as it likes, each costing
   * the reading (and, for a body, the checking) of up to {@code http.maxBodyBytes}. 404 and 409 are answers about
   * orders, not refusals of the request.
   */
  private static final Set<Integer> REFUSALS = Set.of(400, 401, 403, 413, 415, 422, 429, 431);

  /**
   * A connection's request in progress (null between requests, once {@link #sweep} noticed its answer), since when it
   * has had none, and whether its last answer was a refusal (see {@link #REFUSALS}).
   */
  private static final class Watch {
    HttpServerRequest current;
    long idleSince;
    boolean refused;

    Watch(long idleSince) {
      this.idleSince = idleSince;
    }
  }

  Edge(Vertx vertx, HttpConfig config, LimitsConfig limits, Failures failures, Admission admission,
      ApiListener listener) {
    this.vertx = vertx;
    this.config = config;
    // http.requestReadTimeoutMs bounds any request, limits.bodyTimeoutMs slow bodies; one timer serves both.
    this.readTimeoutMillis = Math.min(config.requestReadTimeout().toMillis(), limits.bodyTimeout().toMillis());
    this.failures = failures;
    this.admission = admission;
    this.listener = listener;
    this.exemptClients = limits.exemptClients().stream().map(RateLimiter::canonical).collect(Collectors.toSet());
    this.maxConnectionsPerClient = limits.maxConnectionsPerClient();
    this.pauseAfterRefusalNanos = limits.pauseAfterRefusal().toNanos();
  }

  /**
   * The server's connection handler: a client already holding {@code limits.maxConnectionsPerClient} connections has
   * this one closed at once; any other is watched until it closes (see {@link #sweep}).
   */
  void connected(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    String client = remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    boolean limited = maxConnectionsPerClient > 0 && !exemptClients.contains(client);
    if (limited && !listener.admitted(client, maxConnectionsPerClient)) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} holds {} connections (limits.maxConnectionsPerClient); closing a new one", client,
            maxConnectionsPerClient);
      } else if (refusedConnections.allow()) {
        LOG.info("{} holds {} connections (limits.maxConnectionsPerClient); closing new ones ({} more since the last "
            + "such line)", client, maxConnectionsPerClient, refusedConnections.suppressed());
      }
      connection.close();
      return;
    }
    listener.opened(connection);
    connections.put(connection, new Watch(System.nanoTime()));
    connection.closeHandler(v -> {
      connections.remove(connection);
      listener.closed();
      if (limited) {
        listener.released(client);
      }
    });
    if (sweeper < 0) {
      sweeper = vertx.setPeriodic(Math.max(10, Math.min(250, readTimeoutMillis / 10)), id -> sweep());
    }
  }

  /** The server's request handler: checks {@code request}, then hands it to {@code next}. */
  Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return request -> {
      Watch watch = connections.get(request.connection());
      long holdNanos = 0;
      if (watch != null) {
        holdNanos = hold(watch, System.nanoTime());
        watch.current = request;
        watch.refused = false;
      }
      if (holdNanos > 0) {
        // Not read further (nor its body) until the pause is over: the client's TCP window fills and it waits too.
        request.pause();
        vertx.setTimer(Math.max(1, holdNanos / 1_000_000), id -> {
          if (!request.response().closed()) {
            request.resume();
            check(request, next);
          }
        });
        return;
      }
      check(request, next);
    };
  }

  /**
   * How long a connection's next request waits: what is left of {@code limits.pauseAfterRefusalMs} since its last
   * answer, when that answer was a refusal. The answer's time is when {@link #sweep} noticed it (up to one sweep
   * later); an answer not noticed yet counts as given now.
   */
  private long hold(Watch watch, long now) {
    if (pauseAfterRefusalNanos == 0) {
      return 0;
    }
    HttpServerRequest previous = watch.current;
    if (previous != null) {
      return previous.response().ended() && REFUSALS.contains(previous.response().getStatusCode())
          ? pauseAfterRefusalNanos : 0;
    }
    return watch.refused ? pauseAfterRefusalNanos - (now - watch.idleSince) : 0;
  }

  private void check(HttpServerRequest request, Handler<HttpServerRequest> next) {
    if (request.version() == null) {
      // HTTP/9.9 and the like: reaches us only because the server has a WebSocket hook (see ApiServer), which
      // keeps Vert.x from answering it with its own bare 501.
      refuse(request, HttpProblem.of(400, "unsupported-http-version", "Unsupported HTTP version",
          "This API speaks HTTP/1.1 (and HTTP/1.0)"));
      return;
    }
    if (admission != null && admission.closed()) {
      // Shutting down: whatever the answer, the client should open its next connection elsewhere, and this one
      // closes once answered (see ApiServer: a close the client was told of, see ApiListener).
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (request.version() == HttpVersion.HTTP_1_1 && request.headers().get(HttpHeaders.HOST) == null) {
      refuse(request, HttpProblem.of(400, "missing-host", "Missing Host header",
          "An HTTP/1.1 request must carry a Host header"));
      return;
    }
    String path = request.path();
    if (path.indexOf('%') >= 0 && BAD_PERCENT_ENCODING.matcher(path).find()) {
      refuse(request, HttpProblem.of(400, "malformed-request", "Malformed request",
          "The path has a '%' that is not followed by two hex digits"));
      return;
    }
    if (!request.isEnded()) {
      arriving.add(new Arriving(request, System.nanoTime() + readTimeoutMillis * 1_000_000));
    }
    next.handle(request);
  }

  /**
   * Forgets the requests that have arrived (or were answered), and answers 408 to those overdue: whether the body
   * is late, cut short or garbled (a bad chunk may neither end nor fail the request), the answer is the same. Then
   * closes the connections whose next request has not arrived within {@code http.requestReadTimeoutMs} of their
   * opening or of their last answer (noticed by this sweep, so up to one period later).
   */
  private void sweep() {
    long now = System.nanoTime();
    long between = config.requestReadTimeout().toNanos();
    List<HttpConnection> overdue = new ArrayList<>(0);
    for (Map.Entry<HttpConnection, Watch> entry : connections.entrySet()) {
      Watch watch = entry.getValue();
      if (watch.current != null) {
        if (!watch.current.response().ended() && !watch.current.response().closed()) {
          continue;
        }
        watch.refused = REFUSALS.contains(watch.current.response().getStatusCode());
        watch.current = null;
        watch.idleSince = now;
      } else if (now - watch.idleSince > between) {
        overdue.add(entry.getKey());
      }
    }
    for (HttpConnection connection : overdue) {
      LOG.debug("no request head within {} ms; closing", config.requestReadTimeout().toMillis());
      connections.remove(connection);
      connection.close();
    }
    arriving.removeIf(waiting -> {
      HttpServerRequest request = waiting.request();
      if (request.isEnded() || request.response().ended() || request.response().closed()) {
        return true;
      }
      if (now - waiting.overdueAt() < 0) {
        return false;
      }
      LOG.debug("{} {}: not fully received within {} ms; closing", request.method(), safePath(request),
          readTimeoutMillis);
      refuse(request, HttpProblem.of(408, "request-timeout", "Request timeout",
          "The request did not arrive completely within " + readTimeoutMillis + " ms"));
      return true;
    });
  }

  /** The server's invalid-request handler: what the HTTP codec could not read, answered as problem+json. */
  void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    HttpProblem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = HttpProblem.of(414, "uri-too-long", "Request line too long", "The request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = HttpProblem.of(431, "headers-too-large", "Request headers too large", "The headers are too large");
    } else {
      problem = HttpProblem.of(400, "malformed-request", "Malformed request", "The request could not be read as "
          + "HTTP/1.1" + (cause == null ? "" : ": " + cause.getMessage()));
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("invalid request from {}: {}", request.remoteAddress(), String.valueOf(cause));
    } else if (invalidRequests.allow()) {
      LOG.info("invalid HTTP request from {} answered {} ({} more since the last such line); debug logs each",
          request.remoteAddress(), problem.status(), invalidRequests.suppressed());
    }
    refuse(request, problem);
  }

  /** The server's exception handler: connection-level errors are the peer's doing; never a stack trace each. */
  void connectionError(Throwable error) {
    if (error instanceof DecoderException) {
      LOG.debug("HTTP decoding error (answered by the invalid-request handler): {}", error.toString());
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("HTTP connection error: {}", error.toString());
    } else if (connectionErrors.allow()) {
      LOG.info("HTTP connection error: {} ({} more since the last such line); debug logs each", error.toString(),
          connectionErrors.suppressed());
    }
  }

  /** Answers {@code problem} (when nothing was answered yet), then closes the connection. */
  private void refuse(HttpServerRequest request, HttpProblem problem) {
    if (request.response().headWritten() || request.response().closed()) {
      request.connection().close();
      return;
    }
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    failures.write(request.response(), problem, request.decoderResult().isFailure() ? "" : safePath(request))
        .onComplete(done -> request.connection().close());
  }

  private static String safePath(HttpServerRequest request) {
    try {
      return request.path();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
