package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnknownFieldSet;
import dev.orderflow.audit.AuditReport;
import dev.orderflow.events.OrderIds;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.messaging.operate.ConsumerStates;
import dev.orderflow.testing.Eventually;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.StreamInfoOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
        // The saga's durable consumers: an ordered consumer (the order list's feed) dead-letters nothing.
        List<ConsumerStates.State> durables = topology.consumers().stream().filter(ConsumerStates.State::isDurable)
            .toList();
        List<String> subjects = durables.stream().filter(c -> !c.stream().equals(deadLetters))
            .flatMap(c -> c.filterSubjects().stream()).distinct().toList();
        assertThat(subjects).isNotEmpty();
        // Each payload twice: on a subject of its own, and on the subject of the order id it carries (if it
        // carries one that can be a subject token), where the checks of its content are what must catch it.
        Set<String> poisonOrders = new TreeSet<>();
        List<String> expectedLetters = new ArrayList<>();
        int published = 0;
        for (String filter : subjects) {
          for (Map.Entry<String, byte[]> entry : poison.entrySet()) {
            List<String> targets = new ArrayList<>(List.of(concrete(filter, null)));
            String carried = carriedOrderId(entry.getValue());
            if (carried != null) {
              targets.add(concrete(filter, carried));
              poisonOrders.add(carried);
            }
            for (String subject : targets) {
              js.publish(subject, entry.getValue(), PublishOptions.builder()
                  .messageId(UUID.randomUUID().toString()).build());
              published++;
              durables.stream().filter(c -> c.filterSubjects().stream()
                  .anyMatch(f -> matches(f, subject))).forEach(c -> expectedLetters.add(c.durable() + " " + subject
                      + " (" + entry.getKey() + ")"));
            }
          }
        }
        System.out.printf("published %d poison messages on %s (%d on the subject of the order they name); %d "
            + "deliveries expected in %s%n", published, subjects, published - subjects.size() * poison.size(),
            expectedLetters.size(), deadLetters);
        long expected = expectedLetters.size();
        JetStreamManagement jsm = nats.jetStreamManagement();
        long target = deadBefore + expected;
        try {
          Eventually.eventually(Duration.ofSeconds(120),
              () -> jsm.getStreamInfo(deadLetters).getStreamState().getMsgCount(), n -> n >= target);
        } catch (AssertionError missing) {
          throw new AssertionError(missing.getMessage() + "; not dead-lettered: " + missingLetters(jsm,
              deadLetters, expectedLetters), missing);
        }
        long last = jsm.getStreamInfo(deadLetters).getStreamState().getLastSequence();
        for (long seq = jsm.getStreamInfo(deadLetters).getStreamState().getFirstSequence(); seq <= last; seq++) {
          var message = jsm.getMessage(deadLetters, seq);
          assertThat(message.getHeaders()).as("dead letter %d has headers", seq).isNotNull();
          assertThat(message.getHeaders().keySet()).as("dead letter %d names its reason", seq)
              .anyMatch(h -> h.toLowerCase().contains("reason"));
        }
        // None of the forged orders went ahead: no charge at the gateway, no shipment.
        String shipping = topology.streams().stream()
            .filter(st -> st.subjects().stream().anyMatch(subject -> subject.startsWith("shipping")))
            .map(ConsumerStates.Stream::name).findFirst().orElseThrow();
        for (String orderId : poisonOrders) {
          String charges = lab.gatewayGet("/v1/charges?orderId=" + orderId);
          assertThat(new JsonObject(charges).getJsonArray("charges")).as("charges of forged order %s", orderId)
              .isEmpty();
          assertThat(shipments(jsm, shipping, orderId)).as("shipments of forged order %s", orderId).isZero();
        }
        load.stop();
        load.settleUncertain(Duration.ofSeconds(30));
        AuditReport report = lab.audit(load, List.of(worker), Duration.ofSeconds(120));
        // The audit found every consumer drained: no message was dead-lettered twice.
        List<String> letters = new ArrayList<>();
        var state = jsm.getStreamInfo(deadLetters).getStreamState();
        for (long seq = state.getFirstSequence(); seq <= state.getLastSequence(); seq++) {
          var letter = jsm.getMessage(deadLetters, seq);
          letters.add(letter.getSubject() + " " + letter.getHeaders().getFirst("Orderflow-Original-Stream") + " #"
              + letter.getHeaders().getFirst("Orderflow-Original-Sequence"));
        }
        assertThat(letters).as("dead letters").doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo((int) target);
        Figures.recordAndAssert("8 poison", 50, Duration.ZERO, published + " poison messages on " + subjects.size()
            + " subjects", load, report);
      }
    }
  }

  @Test
  @DisplayName("an outcome given up as poison in the middle of the saga still ends its order: a paid order ships, "
      + "a declined one is cancelled with its stock back, and neither is charged twice")
  void poisonMidSaga() throws Exception {
    try (FaultLab lab = new FaultLab("poison-mid-saga")) {
      lab.nats();
      lab.gateway();
      ServiceProcess worker = lab.worker("w1").startReady();
      // Slow answers hold each order RESERVED long enough to put a broken outcome in before the real one.
      lab.gatewayFaults(new JsonObject().put("latencyMs", 4000));
      try (Connection nats = Nats.connect(lab.natsUrl())) {
        JetStream js = nats.jetStream();
        JetStreamManagement jsm = nats.jetStreamManagement();
        String paid = UUID.randomUUID().toString();
        String declined = UUID.randomUUID().toString();
        for (String[] order : new String[][] {{paid, "alice"}, {declined, "decline-bob"}}) {
          js.publish("orders.placed." + order[0], placed(order[0], order[1]).toByteArray(),
              PublishOptions.builder().messageId(order[0] + ":OrderPlaced").build());
        }
        // The gateway records a charge when it is asked, and answers 4 s later: once both are recorded, payments
        // has looked for a stored outcome and found none, and the real outcomes are still to come.
        for (String orderId : List.of(paid, declined)) {
          Eventually.eventually(Duration.ofSeconds(30), () -> new JsonObject(lab.gatewayGet("/v1/charges?orderId="
              + orderId)).getJsonArray("charges").size(), n -> n == 1);
        }
        // Broken outcomes (no lines or customer, no placed_at): poison to each consumer of them, whose
        // compensation must carry them out from the order's own record.
        js.publish("payments.authorized." + paid, PaymentAuthorized.newBuilder().setEventId("forged-1")
            .setOrderId(paid).setOccurredAt(now()).setChargeId("ch_broken").setAmount(eur(2 * 1250)).build()
            .toByteArray());
        js.publish("payments.declined." + declined, PaymentDeclined.newBuilder().setEventId("forged-2")
            .setOrderId(declined).setOccurredAt(now()).setChargeId("ch_broken").setReason("broken").build()
            .toByteArray());
        lab.gatewayFaults(new JsonObject().put("latencyMs", 0));
        AuditReport report = lab.audit(List.of(paid, declined), List.of(worker), Duration.ofSeconds(60));
        assertThat(report.ok()).as(report.table()).isTrue();
        assertThat(lastSubject(jsm, "SHIPPING", "shipping.*." + paid)).startsWith("shipping.shipment-scheduled.");
        assertThat(lastSubject(jsm, "ORDERS", "orders.*." + declined)).startsWith("orders.cancelled.");
        var cancelled = dev.orderflow.events.v1.OrderCancelled.parseFrom(jsm.getLastMessage("ORDERS",
            "orders.cancelled." + declined).getData());
        assertThat(cancelled.getReason()).isEqualTo(dev.orderflow.events.v1.CancellationReason.PAYMENT_DECLINED);
        assertThat(java.nio.file.Files.readString(worker.log())).doesNotContain("ERROR");
      }
    }
  }

  private static OrderPlaced placed(String orderId, String customerId) {
    return OrderPlaced.newBuilder().setEventId(UUID.randomUUID().toString()).setOrderId(orderId).setOccurredAt(now())
        .setCustomerId(customerId).addLines(mugs(2)).setTotal(eur(2 * 1250)).build();
  }

  private static OrderLine mugs(int quantity) {
    return OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(quantity).setUnitPrice(eur(1250)).build();
  }

  private static Money eur(long minor) {
    return Money.newBuilder().setAmountMinor(minor).setCurrency("EUR").build();
  }

  private static Timestamp now() {
    return Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000).build();
  }

  /** The subject of the last message on {@code filter}, or "" if none. */
  private static String lastSubject(JetStreamManagement jsm, String stream, String filter) throws Exception {
    var subjects = jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects(filter)).getStreamState().getSubjects();
    if (subjects == null || subjects.isEmpty()) {
      return "";
    }
    return subjects.stream().map(subject -> {
      try {
        return jsm.getLastMessage(stream, subject.getName());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).max(java.util.Comparator.comparingLong(io.nats.client.api.MessageInfo::getSeq)).orElseThrow().getSubject();
  }

  private static long streamCount(ConsumerStates.Snapshot topology, String stream) {
    return topology.streams().stream().filter(s -> s.name().equals(stream)).mapToLong(ConsumerStates.Stream::messages)
        .sum();
  }

  /**
   * A subject the filter matches: each {@code *} the order id given, or a poison token of its own; a trailing
   * {@code >} one more token.
   */
  private static String concrete(String filter, String orderId) {
    String token = orderId != null ? orderId : "poison-" + UUID.randomUUID().toString().substring(0, 8);
    return filter.replace("*", token).replace(">", token);
  }

  /**
   * The order id a payload carries, read as every event keeps it (field 2, a string), or {@code null} when it is
   * not protobuf or the id cannot be a subject token.
   */
  private static String carriedOrderId(byte[] payload) {
    try {
      var field = UnknownFieldSet.parseFrom(payload).getField(2);
      if (field.getLengthDelimitedList().size() != 1) {
        return null;
      }
      String id = field.getLengthDelimitedList().get(0).toStringUtf8();
      return OrderIds.valid(id) ? id : null;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** The expected dead letters ("durable subject (kind)") that the stream does not hold. */
  private static List<String> missingLetters(JetStreamManagement jsm, String stream, List<String> expected)
      throws Exception {
    List<String> missing = new ArrayList<>(expected);
    var state = jsm.getStreamInfo(stream).getStreamState();
    for (long seq = state.getFirstSequence(); seq <= state.getLastSequence(); seq++) {
      var letter = jsm.getMessage(stream, seq);
      String key = letter.getSubject().substring(letter.getSubject().indexOf('.') + 1) + " "
          + letter.getHeaders().getFirst("Orderflow-Original-Subject") + " (";
      missing.stream().filter(e -> e.startsWith(key)).findFirst().ifPresent(missing::remove);
    }
    return missing;
  }

  private static long shipments(JetStreamManagement jsm, String stream, String orderId) throws Exception {
    return jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects("*.*." + orderId)).getStreamState()
        .getSubjects().size();
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
