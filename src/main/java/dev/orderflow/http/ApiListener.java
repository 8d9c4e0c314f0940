package dev.orderflow.http;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's listening socket and the connections it accepted, shared by every {@link ApiServer} instance of the
 * process, so that shutdown can end them in the one order that leaves no request unanswered: first the socket
 * closes (a new connection is then refused, which a client can tell apart from a request that was lost), then
 * each connection still open answers its request in progress or its next one ({@code 503 shutting-down} with
 * {@code Connection: close}) and closes, and only then do the servers close what is left.
 *
 * <p>Vert.x 5.0 has no way to stop listening without closing the connections at once: {@code HttpServer.close()}
 * and {@code shutdown(grace)} both close a connection at once when it has no request in progress, including one
 * accepted a moment ago whose first request is still on the wire (its client gets a reset, not an answer), and a
 * connection accepted while the last server instance leaves is reset as well (eclipse-vertx/vert.x#6087, fixed in
 * 5.1). The socket itself is reached through the parent of an accepted connection's channel, by way of Vert.x's
 * {@code HttpServerConnection} (an implementation interface: this class is the only place that uses it).
 */
public final class ApiListener {

  private static final Logger LOG = LoggerFactory.getLogger(ApiListener.class);
  /** How often {@link #connectionsClosed} looks; the count changes on every event loop. */
  private static final long POLL_MILLIS = 10;
  /**
   * How long after the socket closed connections are awaited at the least: one accepted just before may not have
   * reached its server instance yet (and so is not counted).
   */
  private static final long SETTLE_MILLIS = 50;

  private final AtomicInteger open = new AtomicInteger();
  /** Open connections per client address, for {@code limits.maxConnectionsPerClient}; a client at 0 is forgotten. */
  private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
  private volatile Channel socket;

  /** Counts {@code connection} (until {@link #closed}), and remembers the socket it came through. */
  void opened(HttpConnection connection) {
    open.incrementAndGet();
    if (socket == null && connection instanceof HttpServerConnection server) {
      socket = server.channelHandlerContext().channel().parent();
    }
  }

  /** A connection counted by {@link #opened} has closed. */
  void closed() {
    open.decrementAndGet();
  }

  /**
   * Counts one more connection of {@code client} if it holds fewer than {@code max} (across every server instance),
   * and says whether it did; {@link #released} gives the place back.
   */
  boolean admitted(String client, int max) {
    boolean[] admitted = {false};
    perClient.compute(client, (c, held) -> {
      int now = held == null ? 0 : held;
      admitted[0] = now < max;
      return admitted[0] ? now + 1 : held;
    });
    return admitted[0];
  }

  /** A connection of {@code client} counted by {@link #admitted} has closed. */
  void released(String client) {
    perClient.computeIfPresent(client, (c, held) -> held <= 1 ? null : held - 1);
  }

  /**
   * Stops accepting connections: new ones are refused from the moment this completes. The connections already
   * open are left as they are. Without a connection ever accepted there is nothing to race with, and the servers'
   * own close unbinds the socket.
   */
  public Future<Void> stopAccepting() {
    Channel listening = socket;
    if (listening == null || !listening.isOpen()) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    listening.close().addListener(f -> {
      if (!f.isSuccess()) {
        LOG.warn("closing the API's listening socket failed: {}", String.valueOf(f.cause()));
      } else {
        LOG.info("API stopped listening: new connections are refused; {} open get one last answer", open.get());
      }
      closed.complete();
    });
    return closed.future();
  }

  /**
   * Completes once every connection has closed, or after {@code grace}, whichever comes first (and not before
   * {@value #SETTLE_MILLIS} ms). Call it after {@link #stopAccepting}, while the servers answer every request
   * 503 with {@code Connection: close}: each connection then closes after its next answer.
   */
  public Future<Void> connectionsClosed(Vertx vertx, Duration grace) {
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    long settle = start + SETTLE_MILLIS * 1_000_000;
    long deadline = start + Math.max(grace.toNanos(), SETTLE_MILLIS * 1_000_000);
    poll(vertx, settle, deadline, done);
    return done.future();
  }

  private void poll(Vertx vertx, long settle, long deadline, Promise<Void> done) {
    long now = System.nanoTime();
    if ((open.get() <= 0 && now - settle >= 0) || now - deadline >= 0) {
      if (open.get() > 0) {
        LOG.debug("{} API connections still open after the grace; closing them", open.get());
      }
      done.complete();
    } else {
      vertx.setTimer(POLL_MILLIS, id -> poll(vertx, settle, deadline, done));
    }
  }
}
