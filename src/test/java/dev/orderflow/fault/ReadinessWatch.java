package dev.orderflow.fault;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls the readiness of some processes every 50 ms while a fault plays out, and keeps each one's changes (a
 * refused connection counts as not ready), so that a scenario can show that readiness dipped and recovered.
 */
final class ReadinessWatch implements AutoCloseable {

  /** One change of a process's readiness: when (ms since the watch began) and to what (HTTP status, or 0). */
  record Change(long atMillis, int status) {}

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private final Map<String, List<Change>> changes = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean running = true;

  ReadinessWatch(Map<String, String> readyUrls) {
    long started = System.nanoTime();
    readyUrls.keySet().forEach(name -> changes.put(name, new ArrayList<>()));
    poller = new Thread(() -> {
      while (running) {
        readyUrls.forEach((name, url) -> {
          int status = status(url);
          List<Change> seen = changes.get(name);
          synchronized (seen) {
            if (seen.isEmpty() || seen.get(seen.size() - 1).status() != status) {
              seen.add(new Change((System.nanoTime() - started) / 1_000_000, status));
            }
          }
        });
        try {
          Thread.sleep(50); // the polling interval
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "readiness-watch");
    poller.setDaemon(true);
    poller.start();
  }

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(500)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return 0;
    }
  }

  /** Each change of {@code name}'s readiness so far. */
  List<Change> changes(String name) {
    List<Change> seen = changes.get(name);
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** Whether {@code name} was ready, then not, then ready again. */
  boolean dippedAndRecovered(String name) {
    List<Change> seen = changes(name);
    int firstUp = indexOf(seen, 0, true);
    int down = firstUp < 0 ? -1 : indexOf(seen, firstUp + 1, false);
    return down >= 0 && indexOf(seen, down + 1, true) >= 0;
  }

  private static int indexOf(List<Change> seen, int from, boolean ready) {
    for (int i = from; i < seen.size(); i++) {
      if ((seen.get(i).status() == 200) == ready) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    poller.join(2_000);
  }
}
