package dev.orderflow.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process of the suite with its log in a file: started again with the same command after a kill, and
 * always stopped (by its pid, with its children) at the end, or by a shutdown hook if the test JVM dies first.
 */
final class ManagedProcess implements AutoCloseable {

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private final Thread cleanup = new Thread(this::kill9Quietly, "fault-process-cleanup");
  private volatile Process process;

  ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logDir) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = logDir.resolve(name + ".log");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  synchronized ManagedProcess start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    Files.writeString(log, "=== start " + java.time.Instant.now() + ": " + String.join(" ", command) + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    process = builder.start();
    return this;
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. Its children are left as they are (that is the point). */
  void kill9() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM; answers whether it exited within {@code deadline}. */
  boolean sigterm(Duration deadline) throws InterruptedException {
    Process p = process;
    if (p == null) {
      return true;
    }
    p.destroy();
    return p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void kill9Quietly() {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Override
  public void close() throws InterruptedException {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        kill9Quietly();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
