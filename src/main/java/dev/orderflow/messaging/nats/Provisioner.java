package dev.orderflow.messaging.nats;

import dev.orderflow.config.ConfigException;
import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.BucketSpec;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.Topology;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Creates or updates every stream, key-value bucket and durable consumer of the {@link Topology}, on a worker
 * thread (jnats's management calls block). Idempotent, so safe from every instance at once and after a reconnect.
 */
final class Provisioner {

  /** JetStream's error code for "already exists with a different configuration". */
  private static final int EXISTS_WITH_OTHER_CONFIG = 10058;
  /** JetStream's "no suitable peers for placement" (JSClusterNoPeersErr). */
  private static final int NO_SUITABLE_PEERS = 10005;

  private final Vertx vertx;
  private final Connection connection;
  private final NatsConfig nats;
  private final ConsumerConfig consumers;
  private volatile Duration idempotencyKeyTtl;

  Provisioner(Vertx vertx, Connection connection, NatsConfig nats, ConsumerConfig consumers) {
    this.vertx = vertx;
    this.connection = connection;
    this.nats = nats;
    this.consumers = consumers;
  }

  /** Provisions the topology; expiring buckets keep their keys for {@code idempotencyKeyTtl}. */
  Future<Void> provision(Duration idempotencyKeyTtl) {
    this.idempotencyKeyTtl = idempotencyKeyTtl;
    return vertx.<Void>executeBlocking(() -> {
      JetStreamManagement management = connection.jetStreamManagement();
      for (StreamSpec stream : Topology.STREAMS) {
        StreamConfiguration config = StreamConfiguration.builder()
            .name(stream.name())
            .subjects(stream.subjects())
            .storageType(StorageType.File)
            .replicas(nats.replicas())
            .maxAge(nats.streamMaxAge())
            .duplicateWindow(Topology.duplicateWindow(stream, nats.duplicateWindow(), consumers.backoffMax()))
            // Each order's events are read back by subject (EventLog), from any replica.
            .allowDirect(true)
            .build();
        createOrUpdate(() -> management.addStream(config), () -> management.updateStream(config));
      }
      KeyValueManagement keyValues = connection.keyValueManagement();
      for (BucketSpec bucket : Topology.BUCKETS) {
        KeyValueConfiguration config = KeyValueConfiguration.builder()
            .name(bucket.name())
            .maxHistoryPerKey(1)
            .storageType(StorageType.File)
            .replicas(nats.replicas())
            .ttl(bucket.expiring() ? idempotencyKeyTtl : null)
            .build();
        createOrUpdate(() -> keyValues.create(config), () -> keyValues.update(config));
      }
      for (ConsumerSpec consumer : Topology.CONSUMERS) {
        management.addOrUpdateConsumer(consumer.stream().name(), ConsumerConfiguration.builder()
            .durable(consumer.durable())
            .filterSubjects(consumer.filterSubjects())
            .deliverPolicy(DeliverPolicy.All)
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(consumers.ackWait())
            .maxAckPending(consumers.maxAckPending())
            // Unlimited on the server: EventSubscription counts deliveries itself and dead-letters a message
            // after the configured number, so even one whose handler crashed the process is never dropped silently.
            .maxDeliver(-1)
            .build());
      }
      return null;
    }).recover(e -> Future.failedFuture(provisioningFailure(e)));
  }

  /** Provisions again with the settings of the last {@link #provision}: a recovery's first step. */
  Future<Void> provisionAgain() {
    return provision(idempotencyKeyTtl);
  }

  /**
   * Assets the servers refuse outright (a 400: say, a stream of another application on the same subjects) are the
   * deployment's to mend; anything else (no JetStream leader yet, a timeout, no connection) may pass if tried again.
   * So may a 400 for too few servers to place a replicated stream on: a node still joining the cluster or restarting
   * (if the cluster has too few for good, start-up gives up after its timeout, with this reason).
   */
  private static RuntimeException provisioningFailure(Throwable e) {
    if (e instanceof JetStreamApiException api && api.getErrorCode() == 400
        && api.getApiErrorCode() != NO_SUITABLE_PEERS) {
      return new ConfigException("NATS refused Orderflow's JetStream assets: " + api.getMessage()
          + ". Another stream on the same subjects? Give Orderflow an account of its own (README, How it works).");
    }
    return e instanceof BrokerUnavailable unavailable
        ? unavailable : new BrokerUnavailable("JetStream is not ready: " + e.getMessage(), e);
  }

  /** A blocking JetStream management call. */
  interface Call {
    void run() throws Exception;
  }

  private static void createOrUpdate(Call create, Call update) throws Exception {
    try {
      create.run();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != EXISTS_WITH_OTHER_CONFIG) {
        throw e;
      }
      update.run();
    }
  }
}
