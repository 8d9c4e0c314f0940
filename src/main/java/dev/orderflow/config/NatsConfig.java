package dev.orderflow.config;

import java.time.Duration;

/**
 * The connection to NATS and the shape of the JetStream assets Orderflow provisions.
 *
 * @param url comma-separated server URLs; empty means "start and supervise a local nats-server"
 * @param replicas replicas of every stream and bucket (3 on a production cluster)
 * @param streamMaxAge how long the event streams keep an event, and so how long an order can be read back (the
 *     streams are the orders' record); zero keeps them for good
 * @param duplicateWindow how long JetStream remembers a {@code Nats-Msg-Id} to drop a repeated publish
 * @param publishWindow publishes awaiting their acknowledgement at once; beyond it a publish fails fast
 * @param publishTimeout how long a publish may wait for its acknowledgement; for {@code POST /orders}, the deadline
 *     after which the answer is 503
 * @param drainTimeout how long a stopping process waits for its connection to drain
 * @param startupTimeout how long start-up keeps trying to reach NATS and to provision the JetStream assets while the
 *     servers are not there yet or their cluster has no JetStream leader yet; zero tries once
 */
public record NatsConfig(
    String url,
    String connectionName,
    int replicas,
    Duration streamMaxAge,
    Duration duplicateWindow,
    int publishWindow,
    Duration publishTimeout,
    Duration drainTimeout,
    Duration startupTimeout) {

  /** Whether Orderflow should run its own nats-server. */
  public boolean embedded() {
    return url.isEmpty();
  }

  static NatsConfig from(Settings s) {
    return new NatsConfig(
        s.string("url"),
        s.string("connectionName"),
        (int) s.integer("replicas", 1, 5),
        Duration.ofHours(s.integer("streamMaxAgeHours", 0, 24 * 3650)),
        Duration.ofSeconds(s.integer("duplicateWindowSeconds", 1, 24 * 3600)),
        s.positive("publishWindow"),
        s.positiveMillis("publishTimeoutMs"),
        s.positiveMillis("drainTimeoutMs"),
        Duration.ofSeconds(s.integer("startupTimeoutSeconds", 0, 3600)));
  }
}
