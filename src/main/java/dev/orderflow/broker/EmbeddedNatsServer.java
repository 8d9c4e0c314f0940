package dev.orderflow.broker;

import dev.orderflow.config.Backoff;
import dev.orderflow.config.ConfigException;
import dev.orderflow.config.EmbeddedNatsConfig;
import dev.orderflow.config.NatsSecurityConfig;
import dev.orderflow.config.Secret;
import dev.orderflow.messaging.nats.NatsSecurity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local nats-server with JetStream, started and supervised by this process when no NATS URL is configured,
 * so that one command runs the whole system. Its data lives under {@code <dataDir>/nats}; it is restarted if it
 * dies and stopped with the service. If the service itself is killed (SIGKILL, a crash), a small watchdog process
 * stops the server within about a second; and should a server still be left behind, the next start on the same
 * data directory finds it through its pid file and stops it first.
 *
 * <p>It refuses clients without credentials: those configured (a user and password, or a token), else a random
 * token made at each start and written to {@code <dataDir>/nats/token}, readable by its owner only, where the
 * operator's tools find it ({@code ToolConnections}). Any other process on the machine could otherwise read every
 * event and publish forged ones.
 */
public final class EmbeddedNatsServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNatsServer.class);
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Backoff RESTART_BACKOFF = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
  private static final String WATCHDOG = "orderflow-nats-watchdog";
  /**
   * The Go garbage collector's target for the server, unless {@code GOGC} is set in Orderflow's environment. Every
   * order leaves subjects of its own in the streams, so the server's live heap (its per-subject indexes) grows
   * with the orders kept, and at Go's default (100) its collector took much of the server's CPU under the saga's
   * load. At 400 it collects a quarter as often (docs/adr/0006-embedded-server-gogc-gomaxprocs.md).
   */
  static final String GOGC = "400";

  /**
   * How many threads may run the server's Go code at once, unless {@code GOMAXPROCS} is set in Orderflow's
   * environment: half the machine's processors (at least one), as the embedded server shares the machine with the
   * service's JVM. With a Go scheduler thread for every processor, the server's idle threads looked for work and
   * woke each other on the cores the JVM needed (docs/adr/0006-embedded-server-gogc-gomaxprocs.md).
   */
  static String gomaxprocs() {
    return Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  /** The file under {@code <dataDir>/nats} that holds the generated token. */
  static final String TOKEN_FILE = "token";

  private final Vertx vertx;
  private final EmbeddedNatsConfig config;
  private final Path executable;
  private final Path home;
  /** The credentials the server requires and the service presents: configured, or generated at start. */
  private final NatsSecurityConfig security;
  private volatile Process process;
  private volatile Process watchdog;
  private volatile boolean stopping;
  /** Restarts that failed in a row. */
  private int failedRestarts;

  private EmbeddedNatsServer(Vertx vertx, EmbeddedNatsConfig config, Path executable, Path home,
      NatsSecurityConfig security) {
    this.vertx = vertx;
    this.security = security;
    this.config = config;
    this.executable = executable;
    this.home = home;
  }

  /** Finds nats-server, starts it and waits until it accepts connections. */
  public static Future<EmbeddedNatsServer> start(Vertx vertx, EmbeddedNatsConfig config, Path dataDir) {
    return start(vertx, config, dataDir, null);
  }

  /**
   * As {@link #start(Vertx, EmbeddedNatsConfig, Path)}; when {@code security} names a user and password or a token,
   * the server requires them (the service connects with the same). Other kinds of credentials and TLS need a
   * nats-server of your own.
   */
  public static Future<EmbeddedNatsServer> start(Vertx vertx, EmbeddedNatsConfig config, Path dataDir,
      NatsSecurityConfig security) {
    if (security != null && (security.nkeySeed().present() || !security.credsFile().isEmpty()
        || security.tlsRequired())) {
      return Future.failedFuture(new ConfigException("the embedded nats-server supports user and password or a "
          + "token only; for nkeys, .creds files or TLS run your own nats-server and set ORDERFLOW_NATS_URL"));
    }
    return vertx.executeBlocking(() -> {
      Path executable = findExecutable(config);
      checkVersion(executable);
      Path home = dataDir.resolve("nats").toAbsolutePath();
      NatsSecurityConfig configured = security == null ? NatsSecurityConfig.none() : security;
      EmbeddedNatsServer server = new EmbeddedNatsServer(vertx, config, executable, home,
          configured.hasCredentials() ? configured : configured.withToken(generateToken(home)));
      server.launch();
      return server;
    });
  }

  /** Where the token of the embedded server on {@code dataDir} is kept. */
  public static Path tokenFile(Path dataDir) {
    return dataDir.resolve("nats").resolve(TOKEN_FILE).toAbsolutePath();
  }

  /**
   * A new random token, written to the token file: into a new file that only its owner can read from the moment it
   * exists, then moved over the previous one (a link planted there is replaced, not followed).
   */
  private static Secret generateToken(Path home) throws IOException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createDirectories(home);
    Path file = home.resolve(TOKEN_FILE);
    boolean posix = home.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path fresh = posix
        ? Files.createTempFile(home, TOKEN_FILE + ".", ".new",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(home, TOKEN_FILE + ".", ".new"); // elsewhere the data folder's permissions apply
    try {
      Files.writeString(fresh, token, StandardCharsets.UTF_8);
      Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(fresh);
    }
    return Secret.of(token, "file " + file + " (generated at start)");
  }

  /** The credentials to connect with. */
  public NatsSecurityConfig clientSecurity() {
    return security;
  }

  /** The URL clients connect to. */
  public String url() {
    return "nats://" + config.host() + ":" + config.port();
  }

  /** Stops the server (SIGTERM, so it flushes its store) and waits for it to exit. */
  public Future<Void> stop() {
    stopping = true;
    return vertx.executeBlocking(() -> {
      stopWatchdog();
      Process running = process;
      if (running != null && running.isAlive()) {
        running.destroy();
        if (!running.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          running.destroyForcibly().waitFor();
        }
      }
      LOG.info("Embedded nats-server stopped");
      return null;
    });
  }

  private void launch() throws Exception {
    Files.createDirectories(home);
    Path pidFile = home.resolve("nats-server.pid");
    stopLeftover(pidFile);
    Path configFile = home.resolve("nats-server.conf");
    // Written readable by this user only: it may hold the credentials the server requires.
    Files.deleteIfExists(configFile);
    Files.createFile(configFile);
    try {
      Files.setPosixFilePermissions(configFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the data directory's own permissions apply
    }
    Files.writeString(configFile, serverConfig(pidFile), StandardCharsets.UTF_8);
    Path log = home.resolve("nats-server.log");
    ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-c", configFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putIfAbsent("GOGC", GOGC);
    builder.environment().putIfAbsent("GOMAXPROCS", gomaxprocs());
    process = builder.start();
    awaitListening(log);
    startWatchdog(process.pid(), configFile);
    LOG.info("Embedded nats-server {} listening at {}, data in {}, clients need {}", executable, url(), home,
        NatsSecurity.describe(security));
    Process started = process;
    started.onExit().thenAccept(this::exited);
  }

  /**
   * Starts {@value #WATCHDOG}: a shell loop that outlives this JVM only to stop nats-server {@code serverPid}
   * (still running with {@code configFile}) once the JVM is gone. A JVM cannot run code after SIGKILL, and
   * nats-server has no parent-death option, so the watching is done by a process of its own; its cost is one
   * {@code sleep} a second. Not on systems without {@code /bin/sh}, where the pid file alone cleans up at the
   * next start.
   */
  private void startWatchdog(long serverPid, Path configFile) {
    stopWatchdog();
    if (!Files.isExecutable(Path.of("/bin/sh"))) {
      return;
    }
    String script = "while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; "
        + "if grep -q -F -- \"$3\" /proc/\"$2\"/cmdline 2>/dev/null || ! test -d /proc; then kill -TERM \"$2\"; fi";
    try {
      watchdog = new ProcessBuilder("/bin/sh", "-c", script, WATCHDOG, Long.toString(ProcessHandle.current().pid()),
          Long.toString(serverPid), configFile.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      LOG.warn("No watchdog for the embedded nats-server ({}); after a crash the next start stops it",
          e.getMessage());
    }
  }

  private void stopWatchdog() {
    Process running = watchdog;
    watchdog = null;
    if (running != null) {
      running.destroy();
    }
  }

  private String serverConfig(Path pidFile) {
    StringBuilder conf = new StringBuilder()
        .append("# Written by Orderflow at each start; edit conf/orderflow.json (embeddedNats) instead.\n")
        .append("server_name: orderflow_embedded\n")
        .append("host: \"").append(config.host()).append("\"\n")
        .append("port: ").append(config.port()).append('\n')
        .append("pid_file: \"").append(pidFile).append("\"\n")
        // The server writes <name>_<pid>.ports here once it listens: proof that this process (and not another
        // server on the same port) is the one answering.
        .append("ports_file_dir: \"").append(home).append("\"\n")
        .append("jetstream {\n")
        .append("  store_dir: \"").append(home.resolve("jetstream")).append("\"\n");
    if (!config.syncInterval().isEmpty()) {
      conf.append("  sync_interval: ").append(config.syncInterval()).append('\n');
    }
    conf.append("}\n");
    if (security.password().present()) {
      conf.append("authorization {\n  user: ").append(quoted(security.user()))
          .append("\n  password: ").append(quoted(security.password().reveal())).append("\n}\n");
    } else if (security.token().present()) {
      conf.append("authorization {\n  token: ").append(quoted(security.token().reveal())).append("\n}\n");
    }
    return conf.toString();
  }

  /** A string in nats-server's configuration syntax (a JSON string is one). */
  private static String quoted(String value) {
    return new io.vertx.core.json.JsonArray().add(value).encode().replaceAll("^\\[|\\]$", "");
  }

  private void awaitListening(Path log) throws IOException, InterruptedException {
    Path portsFile = home.resolve(executable.getFileName() + "_" + process.pid() + ".ports");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nats-server exited at start-up (exit code " + process.exitValue()
            + "); its log " + log + " ends with:\n" + tail(log));
      }
      if (Files.exists(portsFile)) {
        return;
      }
      Thread.sleep(25); // polling: the ports file is the server's only readiness signal
    }
    process.destroyForcibly();
    throw new IllegalStateException("nats-server did not listen on " + url() + " within " + START_TIMEOUT.toSeconds()
        + " s; see " + log);
  }

  private void exited(Process ended) {
    if (stopping) {
      return;
    }
    long delayMillis = RESTART_BACKOFF.delay(failedRestarts + 1).toMillis();
    LOG.error("Embedded nats-server exited unexpectedly (exit code {}); restarting in {} ms",
        ended.exitValue(), delayMillis);
    vertx.setTimer(delayMillis, id -> vertx.executeBlocking(() -> {
      if (!stopping) {
        launch();
        failedRestarts = 0;
      }
      return null;
    }).onFailure(e -> {
      LOG.error("Restarting nats-server failed: {}", e.getMessage());
      failedRestarts++;
      exited(ended);
    }));
  }

  /**
   * Deals with a nats-server found running on this data directory: if the process that started it still runs,
   * another Orderflow owns it and this one must not start; if its parent is gone (a run killed with SIGKILL),
   * it is an orphan and is stopped.
   */
  private static void stopLeftover(Path pidFile) throws Exception {
    if (!Files.exists(pidFile)) {
      return;
    }
    String pid = Files.readString(pidFile).trim();
    Optional<ProcessHandle> leftover = pid.matches("\\d+") ? ProcessHandle.of(Long.parseLong(pid)) : Optional.empty();
    if (leftover.isPresent() && leftover.get().info().command().orElse("").contains("nats-server")) {
      Optional<ProcessHandle> owner = leftover.get().parent().filter(ProcessHandle::isAlive)
          .filter(parent -> parent.info().command().orElse("").contains("java"));
      if (owner.isPresent()) {
        throw new ConfigException("another Orderflow (pid " + owner.get().pid() + ") runs nats-server " + pid
            + " on data directory " + pidFile.getParent().getParent() + "; stop it, or give this one its own "
            + "ORDERFLOW_DATA_DIR");
      }
      LOG.warn("Stopping nats-server {} left behind by an earlier run", pid);
      leftover.get().destroy();
      leftover.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    Files.deleteIfExists(pidFile);
  }

  private static Path findExecutable(EmbeddedNatsConfig config) {
    if (!config.executable().isEmpty()) {
      Path configured = Path.of(config.executable());
      if (!Files.isExecutable(configured)) {
        throw new ConfigException("embeddedNats.executable: " + configured + " is not an executable file");
      }
      return configured;
    }
    Path tools = Path.of("tools", "bin", "nats-server");
    if (Files.isExecutable(tools)) {
      return tools.toAbsolutePath();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "nats-server");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new ConfigException("no nats-server found (looked at tools/bin/nats-server and on PATH). Run "
        + "bin/ensure-nats-server (the Maven build does), install nats-server 2.11 or newer, set "
        + "ORDERFLOW_NATS_SERVER to its path, or set ORDERFLOW_NATS_URL to use a running server.");
  }

  private static void checkVersion(Path executable) throws IOException, InterruptedException {
    Process version = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
    String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    version.waitFor();
    Matcher matcher = VERSION.matcher(output);
    if (!matcher.find()) {
      throw new ConfigException(executable + " does not look like nats-server: '" + output + "'");
    }
    int major = Integer.parseInt(matcher.group(1));
    int minor = Integer.parseInt(matcher.group(2));
    if (major < 2 || (major == 2 && minor < 11)) {
      throw new ConfigException(executable + " is " + output + "; Orderflow needs nats-server 2.11 or newer "
          + "(bin/ensure-nats-server fetches one)");
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }
}
