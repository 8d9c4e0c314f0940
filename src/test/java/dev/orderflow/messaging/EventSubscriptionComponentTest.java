package dev.orderflow.messaging;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.MessageInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bridge's ack policy, seen from a handler that fails on purpose. */
@DisplayName("A subscription, on a real nats-server")
class EventSubscriptionComponentTest {

  @RegisterExtension
  static final BridgeExtension env = new BridgeExtension();

  private static final ConsumerSpec SPEC = new ConsumerSpec("ack-policy-test", Topology.ORDERS,
      List.of(Topology.ORDER_PLACED));

  private static final Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    env.nats().management().addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder()
        .durable(SPEC.durable()).filterSubjects(SPEC.filterSubjects()).ackPolicy(AckPolicy.Explicit)
        .ackWait(Duration.ofSeconds(5)).build());
    env.vertx().deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        return env.bridge().subscribe(SPEC, Handlers.of(Topology.ORDER_PLACED, EventSubscriptionComponentTest::handle));
      }
    }).await();
  }

  /** The customer id says how to behave: succeed, succeed on the third try, always fail, or be poison. */
  private static Future<?> handle(Delivery<OrderPlaced> delivery) {
    OrderPlaced event = delivery.event();
    attempts.computeIfAbsent(event.getOrderId(), id -> new CopyOnWriteArrayList<>()).add(delivery.attempt());
    return switch (event.getCustomerId()) {
      case "third-time-lucky" -> delivery.attempt() < 3
          ? Future.failedFuture(new IllegalStateException("not yet")) : Future.succeededFuture();
      case "always-failing" -> Future.failedFuture(new IllegalStateException("the database is on fire"));
      case "poison" -> Future.failedFuture(new PoisonMessage("customer poison is not welcome"));
      default -> Future.succeededFuture();
    };
  }

  private static void publish(String orderId, String customerId) {
    OrderPlaced event = OrderPlaced.newBuilder().setEventId("e-" + orderId).setOrderId(orderId)
        .setCustomerId(customerId).build();
    env.bridge().publisher().publish(Topology.ORDER_PLACED, orderId, event).await();
  }

  private static List<MessageInfo> deadLetters(String orderId) throws Exception {
    return env.nats().messages("DEADLETTERS", "deadletter." + SPEC.durable()).stream()
        .filter(m -> new String(m.getData(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(orderId))
        .toList();
  }

  @Test
  @DisplayName("redelivers a transient failure with backoff until the handler succeeds, then acks it")
  void retriesUntilSuccess() throws Exception {
    publish("o-lucky", "third-time-lucky");
    eventually(() -> attempts.getOrDefault("o-lucky", List.of()), tries -> tries.size() == 3);
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts.get("o-lucky")).containsExactly(1, 2, 3);
    assertThat(deadLetters("o-lucky")).isEmpty();
  }

  @Test
  @DisplayName("dead-letters a message that keeps failing after its last allowed delivery, with the last error")
  void givesUp() throws Exception {
    publish("o-doomed", "always-failing");
    MessageInfo letter = eventually(() -> deadLetters("o-doomed"), letters -> letters.size() == 1).get(0);
    assertThat(attempts.get("o-doomed")).containsExactly(1, 2, 3);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON))
        .isEqualTo("gave up after 3 deliveries: the database is on fire");
    assertThat(letter.getHeaders().getFirst(DeadLetters.DELIVERIES)).isEqualTo("3");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
  }

  @Test
  @DisplayName("dead-letters a poison message at once, without retrying it")
  void poison() throws Exception {
    publish("o-poison", "poison");
    MessageInfo letter = eventually(() -> deadLetters("o-poison"), letters -> letters.size() == 1).get(0);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON)).isEqualTo("customer poison is not welcome");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts.get("o-poison")).containsExactly(1);
  }
}
