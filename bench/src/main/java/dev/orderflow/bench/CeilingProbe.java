package dev.orderflow.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one mode of the probe until it is stopped (SIGTERM):
 *
 * <ul>
 *   <li>{@code ingest}: {@code POST /orders} → read the JSON body → {@code publishAsync} → {@code 202} once the
 *       stream acknowledged it. Orderflow's {@code --roles orders} path without its checks.
 *   <li>{@code saga}: the same, then five JetStream hops: each a durable pull consumer whose handler publishes the
 *       next event and acknowledges its message once that publish is acknowledged (one write, one delivery, one
 *       ack per hop); the last hop only acknowledges and counts. Orderflow's happy path without its look-ups,
 *       stock, gateway call, message ids or per-order subjects.
 * </ul>
 *
 * <p>{@code GET /metrics} serves the few counters bin/benchmark reads from Orderflow, under the same names, so one
 * instrument measures both. Options: {@code --mode ingest|saga}, {@code --port}, {@code --nats URL},
 * {@code --instances} (HTTP verticles; Orderflow's {@code http.instances}).
 */
public final class CeilingProbe {

  /** Orderflow's defaults ({@code consumers.batchSize}, {@code consumers.maxAckPending}), for a like comparison. */
  static final int BATCH = 256;
  static final int MAX_ACK_PENDING = 2048;
  /** The saga's streams, one per hop, each read by one consumer of one filter; the last hop's is the sink. */
  static final List<String> HOPS = List.of("placed", "reserved", "authorized", "confirmed", "scheduled");

  private CeilingProbe() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    String mode = options.getOrDefault("mode", "saga");
    if (!mode.equals("saga") && !mode.equals("ingest")) {
      throw new IllegalArgumentException("--mode is saga or ingest, not " + mode);
    }
    int port = Integer.parseInt(options.getOrDefault("port", "18080"));
    int instances = Integer.parseInt(options.getOrDefault("instances", "2"));
    Connection nats = Nats.connect(new Options.Builder().server(options.getOrDefault("nats", Options.DEFAULT_URL))
        .connectionName("ceiling-probe-" + mode).build());
    provision(nats.jetStreamManagement(), mode.equals("saga") ? HOPS : HOPS.subList(0, 1));

    Vertx vertx = Vertx.builder().withTransport(transport()).build();
    ProbeMetrics metrics = new ProbeMetrics();
    if (mode.equals("saga")) {
      for (int i = 0; i < HOPS.size(); i++) {
        String next = i + 1 < HOPS.size() ? subject(HOPS.get(i + 1)) : null;
        vertx.deployVerticle(new Hop(nats, stream(HOPS.get(i)), HOPS.get(i), next, metrics)).await();
      }
    }
    JetStream jetStream = nats.jetStream();
    vertx.deployVerticle(() -> new ProbeApi(port, jetStream, subject(HOPS.get(0)), metrics),
        new DeploymentOptions().setInstances(instances)).await();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await();
        nats.close();
      } catch (Exception e) {
        Thread.currentThread().interrupt();
      }
    }));
    System.out.printf("READY mode=%s port=%d instances=%d transport=%s%n", mode, port, instances,
        vertx.isNativeTransportEnabled() ? "native" : "nio");
  }

  static String stream(String hop) {
    return "PROBE_" + hop.toUpperCase();
  }

  static String subject(String hop) {
    return "probe." + hop;
  }

  /** Fresh streams (file storage, one replica, as Orderflow's default) and a durable consumer on each. */
  private static void provision(JetStreamManagement jsm, List<String> hops) throws Exception {
    for (String hop : hops) {
      try {
        jsm.deleteStream(stream(hop));
      } catch (JetStreamApiException absent) {
        // nothing to delete
      }
      jsm.addStream(StreamConfiguration.builder().name(stream(hop)).subjects(subject(hop))
          .storageType(StorageType.File).replicas(1).build());
      jsm.addOrUpdateConsumer(stream(hop), ConsumerConfiguration.builder().durable(hop)
          .filterSubject(subject(hop)).ackPolicy(AckPolicy.Explicit).maxAckPending(MAX_ACK_PENDING)
          .ackWait(Duration.ofSeconds(30)).build());
    }
  }

  /** io_uring, then epoll, then NIO: Orderflow's order of preference. */
  private static Transport transport() {
    for (Transport transport : List.of(Transport.IO_URING, Transport.EPOLL)) {
      if (transport.available()) {
        return transport;
      }
    }
    return Transport.NIO;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
