import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows every accepted order of a benchmark run to the end of its saga: polls {@code GET /orders/{id}} for each
 * id in the file until the order is SHIPPED or CANCELLED, or the deadline passes, then prints how many reached a
 * terminal status, by status, and how long the pipeline took to finish them.
 *
 * <p>Usage: {@code java loadtest/CheckOrders.java BASE_URL IDS_FILE DEADLINE_SECONDS [LOAD_SECONDS]} (a
 * single-file program: no build, JDK classes only). With the load's duration it also prints the saga's rate. Reads
 * the orders with the bearer token in {@code ORDERFLOW_BENCH_TOKEN} (an operator's reads any order).
 */
public class CheckOrders {

  private static final Pattern STATUS = Pattern.compile("\"status\":\"([A-Z]+)\"");
  private static final Pattern REASON = Pattern.compile("\"cancellationReason\":\"([A-Z_]+)\"");
  private static final int CONCURRENCY = 32;

  public static void main(String[] args) throws Exception {
    String base = args[0];
    List<String> pending = Files.readAllLines(Path.of(args[1])).stream().filter(id -> !id.isBlank()).toList();
    Duration deadline = Duration.ofSeconds(Long.parseLong(args[2]));
    int accepted = pending.size();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String authorization = "Bearer " + System.getenv().getOrDefault("ORDERFLOW_BENCH_TOKEN", "");
    Map<String, Integer> terminal = new TreeMap<>();
    long start = System.nanoTime();
    long giveUpAt = start + deadline.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < giveUpAt) {
      ConcurrentLinkedQueue<String> notYet = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> finished = new ConcurrentLinkedQueue<>();
      Semaphore permits = new Semaphore(CONCURRENCY);
      List<CompletableFuture<?>> calls = new ArrayList<>(pending.size());
      for (String id : pending) {
        permits.acquire();
        calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/orders/" + id))
                .header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString())
            .whenComplete((response, failure) -> {
              permits.release();
              String outcome = failure == null && response.statusCode() == 200 ? outcome(response.body()) : null;
              (outcome == null ? notYet : finished).add(outcome == null ? id : outcome);
            }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
      finished.forEach(outcome -> terminal.merge(outcome, 1, Integer::sum));
      pending = List.copyOf(notYet);
      if (!pending.isEmpty()) {
        Thread.sleep(250); // between polling rounds
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int done = terminal.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf("terminal:      %d of %d accepted orders (%s) within %.1f s of the end of the load%n",
        done, accepted, terminal, seconds);
    if (args.length > 3) {
      double loadSeconds = Double.parseDouble(args[3]);
      System.out.printf("saga:          %.0f orders/s carried to a terminal status (over the load and the drain)%n",
          done / (loadSeconds + seconds));
    }
    if (!pending.isEmpty()) {
      System.out.printf("NOT terminal:  %d orders after %d s, e.g. %s%n", pending.size(), deadline.toSeconds(),
          pending.get(0));
      System.exit(1);
    }
  }

  /** SHIPPED, or CANCELLED:<reason>, or null while the order is still on its way. */
  private static String outcome(String body) {
    Matcher status = STATUS.matcher(body);
    if (!status.find()) {
      return null;
    }
    return switch (status.group(1)) {
      case "SHIPPED" -> "SHIPPED";
      case "CANCELLED" -> {
        Matcher reason = REASON.matcher(body);
        yield "CANCELLED:" + (reason.find() ? reason.group(1) : "?");
      }
      default -> null;
    };
  }
}
