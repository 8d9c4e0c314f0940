package dev.orderflow.config;

import java.time.Duration;
import java.util.Set;

/**
 * Limits against abusive or broken clients on the API's listener.
 *
 * @param requestsPerSecond requests per second each client (remote address) may make on /orders and /inventory,
 *     sustained; 0 turns the limit off
 * @param burst requests a client may make at once above the sustained rate
 * @param exemptClients remote addresses with no rate limit (by default the loopback addresses, so that a benchmark
 *     or a sidecar on the same machine is never throttled)
 * @param maxHeaderBytes the most bytes of request headers (431 beyond)
 * @param maxRequestLineBytes the longest request line (414 beyond)
 * @param bodyTimeout a request whose body has not fully arrived by then is answered 408 and its connection closed
 *     (the same timer as {@code http.requestReadTimeoutMs}: the shorter of the two applies)
 * @param maxConnectionsPerClient connections one client (remote address) may hold open at once; beyond it a new
 *     connection is closed at once. The {@code exemptClients} have no limit; 0 turns it off
 * @param pauseAfterRefusal after a request is refused for what it is or who sent it (400, 401, 403, 413, 415, 422,
 *     429, 431), the next request on that connection is read no sooner than this: a client sending bad requests
 *     back to back gets one answered per pause per connection, and the event loops stay with everyone else's.
 *     Every client, the {@code exemptClients} too; 0 turns it off
 */
public record LimitsConfig(
    int requestsPerSecond,
    int burst,
    Set<String> exemptClients,
    int maxHeaderBytes,
    int maxRequestLineBytes,
    Duration bodyTimeout,
    int maxConnectionsPerClient,
    Duration pauseAfterRefusal) {

  public LimitsConfig {
    exemptClients = Set.copyOf(exemptClients);
  }

  static LimitsConfig from(Settings s) {
    return new LimitsConfig(
        (int) s.integer("requestsPerSecond", 0, 10_000_000),
        s.positive("burst"),
        Set.copyOf(s.list("exemptClients")),
        (int) s.integer("maxHeaderBytes", 1024, 1 << 20),
        (int) s.integer("maxRequestLineBytes", 256, 1 << 16),
        s.positiveMillis("bodyTimeoutMs"),
        (int) s.integer("maxConnectionsPerClient", 0, 1_000_000),
        s.millis("pauseAfterRefusalMs"));
  }
}
