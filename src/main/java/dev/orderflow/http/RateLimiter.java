package dev.orderflow.http;

import dev.orderflow.config.LimitsConfig;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Requests per second per client (its remote address): a token bucket of {@code burst} tokens refilled at
 * {@code requestsPerSecond}. Over the limit the answer is 429 problem+json with {@code Retry-After}, before any
 * authentication or work. Exempt addresses (loopback by default) are never limited. Shared by every server instance of
 * the process; buckets of clients gone quiet are dropped by {@link #forgetIdle}.
 */
public final class RateLimiter implements Handler<RoutingContext> {

  /** Beyond this many clients tracked at once, idle ones are dropped at the next request from a new client. */
  private static final int MAX_CLIENTS = 100_000;

  private final double perNano;
  private final double burst;
  private final Set<String> exempt;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(LimitsConfig limits) {
    this.perNano = limits.requestsPerSecond() / 1e9;
    this.burst = limits.burst();
    this.exempt = limits.exemptClients().stream().map(RateLimiter::canonical).collect(Collectors.toUnmodifiableSet());
  }

  /** Whether the limit is on at all. */
  public boolean enabled() {
    return perNano > 0;
  }

  @Override
  public void handle(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    // A connection's address is already in the JDK's canonical form (InetAddress#getHostAddress); only the
    // configured exemptions need canonicalising, once.
    String client = remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    if (exempt.contains(client)) {
      ctx.next();
      return;
    }
    if (buckets.size() > MAX_CLIENTS && !buckets.containsKey(client)) {
      forgetIdle(System.nanoTime());
    }
    long waitNanos = buckets.computeIfAbsent(client, c -> new Bucket(burst, System.nanoTime())).take(System.nanoTime());
    if (waitNanos == 0) {
      ctx.next();
    } else {
      long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      ctx.fail(HttpProblem.of(429, "too-many-requests", "Too many requests",
              "This client sends more than " + Math.round(perNano * 1e9) + " requests per second; slow down")
          .withHeader("Retry-After", Long.toString(seconds)));
    }
  }

  /** Drops the buckets that have refilled completely: their clients have been quiet long enough to start afresh. */
  public void forgetIdle(long now) {
    buckets.values().removeIf(bucket -> bucket.full(now));
  }

  /** How many clients are tracked (for tests). */
  int tracked() {
    return buckets.size();
  }

  /** {@code address} as a connection's remote address is written (the JDK's canonical form), if it is a literal. */
  static String canonical(String address) {
    try {
      // A literal address only (never a DNS lookup): "::1" and "0:0:0:0:0:0:0:1" become one key.
      return address.matches("[0-9a-fA-F:.%]+") ? InetAddress.getByName(address).getHostAddress() : address;
    } catch (UnknownHostException e) {
      return address;
    }
  }

  private final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    /** Takes a token: 0 if there was one, else the nanoseconds until there will be. */
    synchronized long take(long now) {
      tokens = Math.min(burst, tokens + (now - at) * perNano);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / perNano);
    }

    synchronized boolean full(long now) {
      return tokens + (now - at) * perNano >= burst;
    }
  }
}
