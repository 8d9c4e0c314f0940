package dev.orderflow.messaging;

import dev.orderflow.config.ConfigException;
import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.config.NatsSecurityConfig;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import dev.orderflow.observability.LogThrottle;
import dev.orderflow.observability.Redaction;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one NATS connection of a process, and the factory of everything the bounded contexts use to reach
 * JetStream. Start-up blocking calls (connect, provisioning) run on worker threads; everything afterwards is
 * asynchronous.
 */
public final class NatsBridge {

  private static final Logger LOG = LoggerFactory.getLogger(NatsBridge.class);
  /** JetStream's error code for "already exists with a different configuration". */
  private static final int EXISTS_WITH_OTHER_CONFIG = 10058;
  /** JetStream's "no suitable peers for placement" (JSClusterNoPeersErr). */
  private static final int NO_SUITABLE_PEERS = 10005;
  private static final long INITIAL_RECOVERY_DELAY_MILLIS = 100;
  private static final long MAX_RECOVERY_DELAY_MILLIS = 5_000;
  private static final long TOPOLOGY_CHECK_MILLIS = 2_000;
  /**
   * Failed checks in a row (a JetStream API call that timed out on a busy server, say) before readiness reports the
   * topology unknown: one slow answer is not a missing stream, and a load balancer that drops a busy instance for it
   * makes the others busier. A lost connection is readiness's own check, at once.
   */
  private static final int FAILED_CHECKS_BEFORE_UNKNOWN = 3;

  private final Vertx vertx;
  private final Connection connection;
  private final NatsConfig nats;
  private final ConsumerConfig consumers;
  private final EventPublisher publisher;
  private final DeadLetters deadLetters;
  private final EventLog eventLog;
  /**
   * The one jnats dispatcher thread for every consumer and batched read of this connection. jnats would start one
   * per consumer (and another on every restart after a reconnect); the handlers only hand each message to an event
   * loop, so one thread keeps up, and a burst from several consumers costs it one wake-up instead of several.
   */
  private final Dispatcher dispatcher;
  private final Map<BucketSpec, KeyValueStore> buckets = new ConcurrentHashMap<>();
  private final List<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile Duration idempotencyKeyTtl;
  private volatile boolean closing;
  private boolean recovering;
  private boolean recoverAgain;

  private final MessagingTelemetry telemetry;
  private volatile List<String> missing = List.of("(not checked yet)");
  private boolean checking;
  private int failedChecks;
  private long checkTimer = -1;

  private NatsBridge(Vertx vertx, Connection connection, NatsConfig nats, ConsumerConfig consumers,
      MessagingTelemetry telemetry) throws Exception {
    this.vertx = vertx;
    this.connection = connection;
    this.nats = nats;
    this.consumers = consumers;
    this.telemetry = telemetry;
    this.publisher = new EventPublisher(vertx, connection, connection.jetStream(), nats.publishWindow(),
        nats.publishTimeout(), telemetry);
    this.deadLetters = new DeadLetters(publisher, telemetry);
    this.dispatcher = connection.createDispatcher();
    this.eventLog = new EventLog(vertx, connection, dispatcher, nats.replicas() > 1);
    telemetry.registerConsumers(Topology.CONSUMERS);
  }

  /**
   * Connects to the servers at {@code url}; the connection reconnects by itself for as long as it lives. Traces go
   * to {@code openTelemetry}, metrics to {@code registry}.
   */
  public static Future<NatsBridge> connect(Vertx vertx, String url, NatsConfig nats, ConsumerConfig consumers,
      OpenTelemetry openTelemetry, MeterRegistry registry) {
    return connect(vertx, url, nats, null, consumers, openTelemetry, registry);
  }

  /**
   * As {@link #connect(Vertx, String, NatsConfig, ConsumerConfig, OpenTelemetry, MeterRegistry)}, with credentials
   * and TLS ({@code security}, null for none). Refused credentials or a failed TLS handshake fail start-up with a
   * {@link ConfigException} that says which kind of credentials were used, never their value.
   */
  public static Future<NatsBridge> connect(Vertx vertx, String url, NatsConfig nats, NatsSecurityConfig security,
      ConsumerConfig consumers, OpenTelemetry openTelemetry, MeterRegistry registry) {
    MessagingTelemetry telemetry = new MessagingTelemetry(openTelemetry, registry);
    Events events = new Events();
    LoggingErrorListener errors = new LoggingErrorListener(events.log);
    Options.Builder builder;
    try {
      builder = security == null ? Options.builder() : NatsSecurity.apply(Options.builder(), security);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Options options = builder
        .server(url)
        .connectionName(nats.connectionName())
        .maxReconnects(-1)
        .reconnectWait(Duration.ofMillis(250))
        // Publishes are bounded by the publish window and acks by max_ack_pending, far below this; a full
        // outgoing queue would block the event loop.
        .maxMessagesInOutgoingQueue(1 << 17)
        // jnats writes each request (every JetStream publish, pull and read) to the socket on its own, a system call
        // apiece, even when its writer holds a batch of them; without it the batch goes out in one write. Nothing
        // waits longer: the writer sends all it holds at the end of every batch.
        .dontForceFlushOnRequest()
        .connectionListener(events)
        .errorListener(errors)
        .build();
    return vertx.executeBlocking(() -> new NatsBridge(vertx, Nats.connect(options), nats, consumers, telemetry))
        .onSuccess(bridge -> {
          events.bridge = bridge;
          bridge.checkTimer = vertx.setPeriodic(TOPOLOGY_CHECK_MILLIS, id -> bridge.checkTopology());
        })
        .recover(e -> Future.failedFuture(refused(e, errors.last, url, security)));
  }

  /**
   * Refused credentials and TLS failures are configuration errors: retrying will not help. The message names the
   * servers without the user info of their URLs (a password may be written there), and so does every other line.
   */
  private static RuntimeException refused(Throwable e, Exception last, String givenUrl,
      NatsSecurityConfig security) {
    String url = Redaction.urls(givenUrl);
    // jnats reports only "Unable to connect" after trying every server; the reason is the last error it saw.
    String message = Redaction.urls(String.valueOf(e.getMessage()) + (last == null ? "" : " (" + last + ")"));
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    String how = security == null ? "no credentials" : NatsSecurity.describe(security);
    if (how.startsWith("no credentials") && !url.equals(givenUrl)) {
      how = "the credentials in the URL" + how.substring("no credentials".length());
    }
    if (lower.contains("authorization") || lower.contains("authentication") || lower.contains("auth")) {
      return new ConfigException("NATS at " + url + " refused the credentials (" + how + "): " + message
          + ". Check nats.auth (README, Security).");
    }
    if (lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") || lower.contains("pkix")
        || last instanceof javax.net.ssl.SSLException || e.getCause() instanceof javax.net.ssl.SSLException) {
      return new ConfigException("TLS to NATS at " + url + " failed (" + how + "): " + message
          + ". Check nats.tls (README, Security).");
    }
    return new BrokerUnavailable("cannot connect to NATS at " + url + " (" + how + "): " + message, e);
  }

  /**
   * Creates or updates every stream, key-value bucket and durable consumer of the {@link Topology}. Safe to run
   * from every instance at once.
   */
  public Future<Void> provision(Duration idempotencyKeyTtl) {
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

  public EventPublisher publisher() {
    return publisher;
  }

  /** Reads orders' events back from the streams. */
  public EventLog eventLog() {
    return eventLog;
  }

  /** A new feed of stored events for a read model; close it when done. */
  public EventFeed feed() {
    return new EventFeed(vertx, connection);
  }

  /** The operator's desk for the dead letters, on this connection (blocking: call it on a worker thread). */
  public DeadLetterDesk deadLetterDesk() {
    return DeadLetterDesk.on(connection);
  }

  /** The cluster's consumers and streams as JetStream counts them (blocking: call it on a worker thread). */
  public TopologyFigures figures() {
    return new TopologyFigures(connection);
  }

  /** The key-value bucket {@code bucket}; its reads go to the stream's leader at more than one replica. */
  public KeyValueStore keyValue(BucketSpec bucket) {
    return buckets.computeIfAbsent(bucket,
        b -> new KeyValueStore(vertx, connection, publisher, b, nats.replicas() > 1));
  }

  /**
   * Starts handling the events of {@code consumer} on the calling verticle's context. Stop the returned
   * subscription when the verticle stops.
   */
  public Future<EventSubscription> subscribe(ConsumerSpec consumer, Handlers handlers) {
    EventSubscription subscription = new EventSubscription(vertx, vertx.getOrCreateContext(), consumer, handlers,
        consumers, deadLetters, telemetry, dispatcher, subscriptions::remove);
    subscriptions.add(subscription);
    return subscription.start(connection).onFailure(e -> subscriptions.remove(subscription));
  }

  /** Whether the connection is up right now. */
  public boolean connected() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  /**
   * The streams, buckets and consumers found missing by the last check (every {@value #TOPOLOGY_CHECK_MILLIS} ms);
   * empty when all are in place. A missing asset is provisioned again by itself.
   */
  public List<String> missingTopology() {
    return missing;
  }

  /** Looks for every asset of the topology, records consumer lag, and restores what is missing. */
  private void checkTopology() {
    if (checking || closing || !connected()) {
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
            failedChecks = 0;
            missing = checked.result();
            if (!missing.isEmpty()) {
              LOG.warn("NATS topology incomplete, restoring: missing {}", missing);
              recover();
            }
          } else if (++failedChecks >= FAILED_CHECKS_BEFORE_UNKNOWN) {
            missing = List.of("(check failed: " + Redaction.urls(checked.cause().getMessage()) + ")");
          } else {
            LOG.debug("NATS topology check failed ({} in a row): {}", failedChecks, checked.cause().toString());
          }
        });
  }

  private static void exists(Call lookup, String name, List<String> absent) throws Exception {
    try {
      lookup.run();
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) {
        throw e;
      }
      absent.add(name);
    }
  }

  /** Drains the connection: pending publishes and acks go out, then it closes. */
  public Future<Void> close() {
    closing = true;
    vertx.cancelTimer(checkTimer);
    publisher.close();
    return vertx.executeBlocking(() -> {
      try {
        connection.drain(nats.drainTimeout()).get();
      } catch (Exception e) {
        LOG.warn("NATS connection did not drain cleanly: {}", e.toString());
        connection.close();
      }
      return null;
    });
  }

  private interface Call {
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

  /**
   * After a reconnect the server may have lost the pull requests in flight (and, if it lost its store, the streams
   * and consumers too): provision again, which is idempotent, and restart every subscription's pulls. Retried with
   * backoff until it works or the bridge closes; a request during a recovery runs it once more afterwards.
   */
  private synchronized void recover() {
    if (closing) {
      return;
    }
    if (recovering) {
      recoverAgain = true;
      return;
    }
    recovering = true;
    vertx.runOnContext(v -> attemptRecovery(INITIAL_RECOVERY_DELAY_MILLIS));
  }

  private void attemptRecovery(long delayMillis) {
    provision(idempotencyKeyTtl)
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
          long next = Math.min(delayMillis * 2, MAX_RECOVERY_DELAY_MILLIS);
          LOG.warn("restoring NATS topology failed, retrying in {} ms: {}", next, e.getMessage());
          if (!closing) {
            vertx.setTimer(next, id -> attemptRecovery(next));
          }
        });
  }

  /**
   * Receives the connection's events; bound to the bridge once the connection exists. While the server is
   * unreachable the client reports a disconnection and an exception for every reconnect attempt (several a
   * second): the log gets one warning when the connection is lost, then a reminder every
   * {@link ConnectionLog#REMINDER}, then one line when it is back.
   */
  private static final class Events implements ConnectionListener {
    volatile NatsBridge bridge;
    final ConnectionLog log = new ConnectionLog();

    @Override
    public void connectionEvent(Connection connection, ConnectionListener.Events event) {
      log.event(connection, event);
      NatsBridge current = bridge;
      if (event == ConnectionListener.Events.RESUBSCRIBED && current != null) {
        current.recover();
      }
    }
  }

  /** The connection's story in a few lines, whatever the number of reconnect attempts. Thread-safe. */
  static final class ConnectionLog {
    static final Duration REMINDER = Duration.ofMinutes(1);

    private final LogThrottle reminders = new LogThrottle(REMINDER);
    private final LogThrottle errors = new LogThrottle(REMINDER);
    private volatile long lostAt;
    private volatile boolean down;
    /** Whether the connection was ever made: until then start-up reports why it failed (and retries) itself. */
    private volatile boolean opened;

    void event(Connection connection, ConnectionListener.Events event) {
      switch (event) {
        case DISCONNECTED -> disconnected();
        case RECONNECTED, CONNECTED -> {
          opened = true;
          if (down) {
            down = false;
            LOG.info("NATS connection back ({}) after {} s", Redaction.urls(connection.getConnectedUrl()),
                (System.nanoTime() - lostAt) / 1_000_000_000);
          } else {
            LOG.info("NATS {} ({})", event.getEvent(), Redaction.urls(connection.getConnectedUrl()));
          }
        }
        case CLOSED -> LOG.info("NATS {}", event.getEvent());
        default -> LOG.debug("NATS {} ({})", event.getEvent(), Redaction.urls(connection.getConnectedUrl()));
      }
    }

    private synchronized void disconnected() {
      if (!down) {
        down = true;
        lostAt = System.nanoTime();
        reminders.reset();
        reminders.allow(); // the warning below counts as this minute's line
        errors.reset();
        LOG.warn("NATS connection lost; reconnecting (a reminder every {} s while it stays away)",
            REMINDER.toSeconds());
      } else if (reminders.allow()) {
        LOG.warn("NATS still unreachable after {} s ({} reconnect attempts since the last reminder)",
            (System.nanoTime() - lostAt) / 1_000_000_000, reminders.suppressed() + 1);
      } else {
        LOG.debug("NATS reconnect attempt failed");
      }
    }

    /** An error the client reports: while the connection is down it is the same outage, already reported. */
    void error(String reported) {
      String what = Redaction.urls(reported);
      if (down || !opened) {
        LOG.debug("NATS error while disconnected: {}", what);
      } else if (errors.allow()) {
        LOG.warn("NATS error: {} ({} similar since the last such line)", what, errors.suppressed());
      }
    }
  }

  private static final class LoggingErrorListener implements ErrorListener {
    /** The last exception reported, to explain a failed first connection. */
    volatile Exception last;
    private final ConnectionLog log;

    LoggingErrorListener(ConnectionLog log) {
      this.log = log;
    }

    @Override
    public void errorOccurred(Connection connection, String error) {
      log.error(error);
    }

    @Override
    public void exceptionOccurred(Connection connection, Exception exception) {
      last = exception;
      log.error(exception.toString());
    }
  }
}
