package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import dev.orderflow.messaging.ConsumerStates;
import dev.orderflow.testing.Eventually;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 8: poison messages and hostile HTTP under load")
class PoisonIT {

  @Test
  @DisplayName("malformed HTTP requests each get a 4xx problem+json or a closed connection, never a 5xx, and the "
      + "service stays healthy")
  void hostileHttp() throws Exception {
    try (FaultLab lab = new FaultLab("hostile-http")) {
      lab.nats();
      lab.gateway();
      // Short timeouts, so that the slow and unfinished requests are closed in seconds.
      ServiceProcess worker = lab.worker("w1", new JsonObject().put("http", new JsonObject()
          .put("requestReadTimeoutMs", 2000).put("idleTimeoutSeconds", 3))).startReady();
      try (LoadDriver load = new LoadDriver(List.of(worker.apiUrl()), 50).start()) {
        List<CompletableFuture<MalformedRequests.Outcome>> running = new ArrayList<>();
        MalformedRequests.all().forEach((name, request) -> running.add(CompletableFuture.supplyAsync(
            () -> MalformedRequests.send(name, worker.httpPort, request, 10_000, 0))));
        running.add(CompletableFuture.supplyAsync(() -> MalformedRequests.send("slow head", worker.httpPort,
            MalformedRequests.slowHead(), 10_000, 100)));
        List<MalformedRequests.Outcome> outcomes = running.stream().map(CompletableFuture::join).toList();
        outcomes.forEach(o -> System.out.printf("%-40s %s%n", o.name(), o.status() <= 0 ? o.head().strip()
            : o.head().lines().findFirst().orElse("")));
        assertThat(outcomes).hasSizeGreaterThanOrEqualTo(50);
        assertThat(outcomes).as("4xx problem+json or closed, never 5xx")
            .allMatch(MalformedRequests.Outcome::acceptable);
        assertThat(worker.status("/health/ready")).isEqualTo(200);
        assertThat(Eventually.eventually(() -> worker.get("/metrics"), m -> m.contains("orderflow_orders_accepted")))
            .doesNotContain("orderflow_orders_rejected_total{status=\"200\"");
        load.stop();
        load.settleUncertain(Duration.ofSeconds(30));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(60));
        assertThat(report.ok()).as(report.table()).isTrue();
        assertThat(java.nio.file.Files.readString(worker.log())).doesNotContain("ERROR");
      }
    }
  }

  @Test
  @DisplayName("poison published on each consumed subject (found from the consumers' filters) lands in the "
      + "dead-letter stream with a reason, while the flow goes on")
  void poisonMessages() throws Exception {
    try (FaultLab lab = new FaultLab("poison")) {
      lab.nats();
      lab.gateway();
      ServiceProcess worker = lab.worker("w1").startReady();
      ConsumerStates.Snapshot topology = ConsumerStates.read(lab.natsUrl());
      String deadLetters = topology.streams().stream()
          .filter(s -> s.subjects().stream().anyMatch(subject -> subject.startsWith("deadletter")))
          .map(ConsumerStates.Stream::name).findFirst().orElseThrow();
      long deadBefore = streamCount(topology, deadLetters);
      try (LoadDriver load = new LoadDriver(List.of(worker.apiUrl()), 50).start();
          Connection nats = Nats.connect(lab.natsUrl())) {
        JetStream js = nats.jetStream();
        Map<String, byte[]> poison = PoisonMessages.all();
        long expected = 0;
        List<String> subjects = topology.consumers().stream().filter(c -> !c.stream().equals(deadLetters))
            .flatMap(c -> c.filterSubjects().stream()).distinct().toList();
        assertThat(subjects).isNotEmpty();
        for (String filter : subjects) {
          for (Map.Entry<String, byte[]> entry : poison.entrySet()) {
            String subject = concrete(filter);
            js.publish(subject, entry.getValue(), PublishOptions.builder().messageId(UUID.randomUUID().toString())
                .build());
            expected += topology.consumers().stream().filter(c -> c.filterSubjects().stream()
                .anyMatch(f -> matches(f, subject))).count();
          }
        }
        System.out.printf("published %d poison messages on %s; %d deliveries expected in %s%n",
            subjects.size() * poison.size(), subjects, expected, deadLetters);
        JetStreamManagement jsm = nats.jetStreamManagement();
        long target = deadBefore + expected;
        Eventually.eventually(Duration.ofSeconds(120),
            () -> jsm.getStreamInfo(deadLetters).getStreamState().getMsgCount(), n -> n >= target);
        long last = jsm.getStreamInfo(deadLetters).getStreamState().getLastSequence();
        for (long seq = jsm.getStreamInfo(deadLetters).getStreamState().getFirstSequence(); seq <= last; seq++) {
          var message = jsm.getMessage(deadLetters, seq);
          assertThat(message.getHeaders()).as("dead letter %d has headers", seq).isNotNull();
          assertThat(message.getHeaders().keySet()).as("dead letter %d names its reason", seq)
              .anyMatch(h -> h.toLowerCase().contains("reason"));
        }
        load.stop();
        load.settleUncertain(Duration.ofSeconds(30));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(120));
        Figures.recordAndAssert("8 poison", 50, Duration.ZERO, subjects.size() * poison.size()
            + " poison messages on " + subjects.size() + " subjects", load, report);
      }
    }
  }

  private static long streamCount(ConsumerStates.Snapshot topology, String stream) {
    return topology.streams().stream().filter(s -> s.name().equals(stream)).mapToLong(ConsumerStates.Stream::messages)
        .sum();
  }

  /** A subject the filter matches: each {@code *} a poison token, a trailing {@code >} one more. */
  private static String concrete(String filter) {
    return filter.replace("*", "poison-" + UUID.randomUUID().toString().substring(0, 8)).replace(">", "poison");
  }

  private static boolean matches(String filter, String subject) {
    String[] f = filter.split("\\.");
    String[] s = subject.split("\\.");
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals(">")) {
        return s.length > i;
      }
      if (i >= s.length || !(f[i].equals("*") || f[i].equals(s[i]))) {
        return false;
      }
    }
    return f.length == s.length;
  }
}
