package dev.orderflow.messaging.nats;

import dev.orderflow.config.Backoff;
import dev.orderflow.messaging.BucketSpec;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.Redaction;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for every asset of the topology every {@value #CHECK_MILLIS} ms, records consumer lag, and restores what is
 * missing; after a reconnect, restores the pulls of every subscription too. What it found missing is readiness's.
 */
final class TopologyWatch {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyWatch.class);
  private static final Backoff RECOVERY_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  static final long CHECK_MILLIS = 2_000;

  private final Vertx vertx;
  private final Connection connection;
  private final MessagingTelemetry telemetry;
  private final Provisioner provisioner;
  private final List<EventSubscription> subscriptions;
  private volatile boolean closing;
  private boolean recovering;
  private boolean recoverAgain;
  private volatile List<String> missing = List.of("(not checked yet)");
  private boolean checking;
  private long checkTimer = -1;

  TopologyWatch(Vertx vertx, Connection connection, MessagingTelemetry telemetry, Provisioner provisioner,
      List<EventSubscription> subscriptions) {
    this.vertx = vertx;
    this.connection = connection;
    this.telemetry = telemetry;
    this.provisioner = provisioner;
    this.subscriptions = subscriptions;
  }

  void start() {
    checkTimer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
  }

  void stop() {
    closing = true;
    vertx.cancelTimer(checkTimer);
  }

  /** What the last check found missing; empty when all is in place. */
  List<String> missing() {
    return missing;
  }

  private void check() {
    if (checking || closing || connection.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    checking = true;
    vertx.executeBlocking(() -> {
          JetStreamManagement management = connection.jetStreamManagement();
          List<String> absent = new ArrayList<>();
          for (StreamSpec stream : Topology.STREAMS) {
            exists(() -> management.getStreamInfo(stream.name()), "stream " + stream.name(), absent);
          }
          for (BucketSpec bucket : Topology.BUCKETS) {
            exists(() -> management.getStreamInfo(bucket.streamName()), "bucket " + bucket.name(), absent);
          }
          for (ConsumerSpec consumer : Topology.CONSUMERS) {
            exists(() -> {
              ConsumerInfo info = management.getConsumerInfo(consumer.stream().name(), consumer.durable());
              telemetry.consumerLag(consumer, info.getNumPending(), info.getNumAckPending());
            }, "consumer " + consumer.durable(), absent);
          }
          return List.copyOf(absent);
        })
        .onComplete(checked -> {
          checking = false;
          if (checked.succeeded()) {
            missing = checked.result();
            if (!missing.isEmpty()) {
              LOG.warn("NATS topology incomplete, restoring: missing {}", missing);
              recover();
            }
          } else {
            // A check JetStream cannot answer (no stream leader while a cluster elects one, say) is a topology this
            // instance cannot use: it says so at once, and ClusterIT holds it.
            missing = List.of("(check failed: " + Redaction.urls(checked.cause().getMessage()) + ")");
          }
        });
  }

  private static void exists(Provisioner.Call lookup, String name, List<String> absent) throws Exception {
    try {
      lookup.run();
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) {
        throw e;
      }
      absent.add(name);
    }
  }

  /**
   * After a reconnect the server may have lost the pull requests in flight (and, if it lost its store, the streams
   * and consumers too): provision again, which is idempotent, and restart every subscription's pulls. Retried with
   * backoff until it works or the bridge closes; a request during a recovery runs it once more afterwards.
   */
  synchronized void recover() {
    if (closing) {
      return;
    }
    if (recovering) {
      recoverAgain = true;
      return;
    }
    recovering = true;
    vertx.runOnContext(v -> attemptRecovery(1));
  }

  private void attemptRecovery(int attempt) {
    provisioner.provisionAgain()
        .compose(v -> Future.all(subscriptions.stream().map(s -> s.restart(connection)).toList()))
        .onSuccess(v -> {
          LOG.info("NATS topology and {} subscriptions restored", subscriptions.size());
          boolean again;
          synchronized (this) {
            recovering = false;
            again = recoverAgain;
            recoverAgain = false;
          }
          if (again) {
            recover();
          }
        })
        .onFailure(e -> {
          long next = RECOVERY_BACKOFF.delay(attempt + 1).toMillis();
          LOG.warn("restoring NATS topology failed, retrying in {} ms: {}", next, e.getMessage());
          if (!closing) {
            vertx.setTimer(next, id -> attemptRecovery(attempt + 1));
          }
        });
  }
}
