package dev.orderflow.testing;

import io.nats.NatsServerRunner;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A real nats-server with JetStream for one test class: a free port, a store in a temporary directory, and a
 * plain jnats connection for the test to look at streams and consumers. Can be stopped and started again on the
 * same port and store. {@link #close()} (and, should the test JVM die first, a shutdown hook) kills it and
 * deletes the store.
 */
public final class NatsTestServer implements AutoCloseable {

  /** The server's own output: only its warnings and errors reach the test log. */
  private static final Logger SERVER_LOG = Logger.getLogger("nats-server");
  /** The lowest port {@link #freePort} hands out. */
  private static final int LOWEST_PORT = 10_000;

  static {
    SERVER_LOG.setLevel(Level.WARNING);
  }

  private final int port;
  private final Path store;
  private final Thread killOnExit;
  private NatsServerRunner runner;
  private Connection connection;

  private NatsTestServer(int port, Path store) {
    this.port = port;
    this.store = store;
    this.killOnExit = new Thread(this::kill, "nats-test-server-cleanup");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  public static NatsTestServer start() {
    try {
      NatsTestServer server = new NatsTestServer(freePort(), Files.createTempDirectory("orderflow-nats-"));
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The nats-server binary the build obtained (see bin/ensure-nats-server). */
  public static Path executable() {
    return Path.of(System.getProperty("nats.server.path", "tools/bin/nats-server")).toAbsolutePath();
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** Stops the server process, keeping its store (to test what happens while the broker is away). */
  public void stop() {
    closeConnection();
    kill();
  }

  /** Starts the server again, on the same port with the same store. */
  public void restart() {
    startProcess();
  }

  /** A connection of the test's own, for looking at (and tampering with) JetStream. */
  public synchronized Connection connection() {
    try {
      if (connection == null) {
        connection = Nats.connect(url());
      }
      return connection;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot connect to the test nats-server", e);
    }
  }

  public JetStreamManagement management() {
    try {
      return connection().jetStreamManagement();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every message currently in {@code stream} on {@code subject} (which may hold {@code *} tokens), oldest first. */
  public List<MessageInfo> messages(String stream, String subject) throws Exception {
    JetStreamManagement jsm = management();
    StreamInfo info = jsm.getStreamInfo(stream);
    List<MessageInfo> found = new ArrayList<>();
    for (long seq = info.getStreamState().getFirstSequence(); seq <= info.getStreamState().getLastSequence(); seq++) {
      try {
        MessageInfo message = jsm.getMessage(stream, seq);
        if (matches(subject, message.getSubject())) {
          found.add(message);
        }
      } catch (io.nats.client.JetStreamApiException deleted) {
        // a gap in the stream
      }
    }
    return found;
  }

  private static boolean matches(String filter, String subject) {
    String[] wanted = filter.split("\\.");
    String[] tokens = subject.split("\\.");
    if (wanted.length != tokens.length) {
      return false;
    }
    for (int i = 0; i < wanted.length; i++) {
      if (!wanted[i].equals("*") && !wanted[i].equals(tokens[i])) {
        return false;
      }
    }
    return true;
  }

  /** Whether durable {@code consumer} has delivered everything in its stream and has nothing awaiting an ack. */
  public boolean idle(String stream, String consumer) throws Exception {
    ConsumerInfo info = management().getConsumerInfo(stream, consumer);
    return info.getNumPending() == 0 && info.getNumAckPending() == 0;
  }

  /** Whether every durable consumer of every stream has delivered everything and has nothing awaiting an ack. */
  public boolean consumersIdle() throws Exception {
    JetStreamManagement jsm = management();
    for (String stream : jsm.getStreamNames()) {
      for (ConsumerInfo info : jsm.getConsumers(stream)) {
        if (info.getNumPending() != 0 || info.getNumAckPending() != 0) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (Stream<Path> files = Files.walk(store)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void startProcess() {
    try {
      runner = NatsServerRunner.builder()
          .executablePath(executable())
          .port(port)
          .jetstream(true)
          .configInserts(new String[] {"jetstream { store_dir: \"" + store + "\" }"})
          .outputLogger(SERVER_LOG)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nats-server " + executable(), e);
    }
  }

  private synchronized void kill() {
    if (runner != null) {
      try {
        runner.shutdown();
        Files.deleteIfExists(Path.of(runner.getConfigFile()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // a stray temporary file is no reason to fail a test
      }
      runner = null;
    }
  }

  private synchronized void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      connection = null;
    }
  }

  /** A port free right now, below the ephemeral range (the server is started on it at once). */
  public static int freePort() {
    // A port the kernel picks (bind to 0) comes from its range for the local ports of outgoing connections, so by the
    // time a server is told to listen on it an outgoing connection may hold it: a cluster node's route listener
    // failed so in CI ("bind: address already in use", the port taken by another node's route connection). Ports
    // below that range are handed out only on request.
    int below = ephemeralRangeStart();
    for (int attempt = 0; below - LOWEST_PORT >= 1_000 && attempt < 200; attempt++) {
      int port = LOWEST_PORT + ThreadLocalRandom.current().nextInt(below - LOWEST_PORT);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // in use: try another
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first port of Linux's ephemeral range; elsewhere (or unreadable) the lowest port, so that none is picked. */
  private static int ephemeralRangeStart() {
    try {
      // readAllLines, not readString: a /proc file reports a size of 0, and readString then read one byte here.
      return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
          .split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return LOWEST_PORT;
    }
  }
}
