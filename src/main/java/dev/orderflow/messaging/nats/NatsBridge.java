package dev.orderflow.messaging.nats;

import dev.orderflow.config.ConfigException;
import dev.orderflow.config.ConsumerConfig;
import dev.orderflow.config.NatsConfig;
import dev.orderflow.config.NatsSecurityConfig;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.BucketSpec;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Topology;
import dev.orderflow.observability.Redaction;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one NATS connection of a process, and the factory of everything the bounded contexts use to reach
 * JetStream ({@link Messaging}). Provisioning ({@link Provisioner}), the topology watch and recovery
 * ({@link TopologyWatch}) and the connection's log ({@link ConnectionEvents}) are its parts. Start-up blocking calls
 * (connect, provisioning) run on worker threads; everything afterwards is asynchronous.
 */
public final class NatsBridge implements Messaging {

  private static final Logger LOG = LoggerFactory.getLogger(NatsBridge.class);

  private final Vertx vertx;
  private final Connection connection;
  private final NatsConfig nats;
  private final NatsEventPublisher publisher;
  private final NatsEventLog eventLog;
  /**
   * The one jnats dispatcher thread for every consumer and batched read of this connection. jnats would start one
   * per consumer (and another on every restart after a reconnect); the handlers only hand each message to an event
   * loop, so one thread keeps up, and a burst from several consumers costs it one wake-up instead of several.
   */
  private final Dispatcher dispatcher;
  private final DeadLetters deadLetters;
  private final ConsumerConfig consumers;
  private final MessagingTelemetry telemetry;
  private final Map<BucketSpec, NatsKeyValueStore> buckets = new ConcurrentHashMap<>();
  private final List<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Provisioner provisioner;
  private final TopologyWatch watch;

  private NatsBridge(Vertx vertx, Connection connection, NatsConfig nats, ConsumerConfig consumers,
      MessagingTelemetry telemetry) throws Exception {
    this.vertx = vertx;
    this.connection = connection;
    this.nats = nats;
    this.consumers = consumers;
    this.telemetry = telemetry;
    this.publisher = new NatsEventPublisher(vertx, connection, connection.jetStream(), nats.publishWindow(),
        nats.publishTimeout(), telemetry);
    this.deadLetters = new DeadLetters(publisher, telemetry);
    this.dispatcher = connection.createDispatcher();
    this.eventLog = new NatsEventLog(vertx, connection, dispatcher, nats.replicas() > 1);
    this.provisioner = new Provisioner(vertx, connection, nats, consumers);
    this.watch = new TopologyWatch(vertx, connection, telemetry, provisioner, subscriptions);
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
    ConnectionEvents.Events events = new ConnectionEvents.Events();
    ConnectionEvents.LoggingErrorListener errors = new ConnectionEvents.LoggingErrorListener(events.log);
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
          events.watch = bridge.watch;
          bridge.watch.start();
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
    return provisioner.provision(idempotencyKeyTtl);
  }

  @Override
  public NatsEventPublisher publisher() {
    return publisher;
  }

  @Override
  public NatsEventLog eventLog() {
    return eventLog;
  }

  @Override
  public NatsEventFeed feed() {
    return new NatsEventFeed(vertx, connection);
  }

  /** Its reads go to the stream's leader at more than one replica. */
  @Override
  public KeyValueStore keyValue(BucketSpec bucket) {
    return buckets.computeIfAbsent(bucket,
        b -> new NatsKeyValueStore(vertx, connection, publisher, b, nats.replicas() > 1));
  }

  @Override
  public Future<Subscription> subscribe(ConsumerSpec consumer, Handlers handlers) {
    EventSubscription subscription = new EventSubscription(vertx, vertx.getOrCreateContext(), consumer, handlers,
        consumers, deadLetters, telemetry, dispatcher, subscriptions::remove);
    subscriptions.add(subscription);
    return subscription.start(connection).<Subscription>map(s -> s)
        .onFailure(e -> subscriptions.remove(subscription));
  }

  /** The connection, for the operator's tools beside the adapter (dev.orderflow.messaging.operate). */
  public Connection connection() {
    return connection;
  }

  /** Whether the connection is up right now. */
  public boolean connected() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  /**
   * The streams, buckets and consumers found missing by the last check (every {@value TopologyWatch#CHECK_MILLIS}
   * ms); empty when all are in place. A missing asset is provisioned again by itself.
   */
  public List<String> missingTopology() {
    return watch.missing();
  }

  /** Drains the connection: pending publishes and acks go out, then it closes. */
  public Future<Void> close() {
    watch.stop();
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
}
