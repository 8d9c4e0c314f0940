package dev.orderflow.messaging.nats;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.Delivery;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.PoisonMessage;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.Undecided;
import dev.orderflow.testing.BridgeExtension;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.MessageInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
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
  private static final Map<String, List<String>> giveUps = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    env.nats().management().addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder()
        .durable(SPEC.durable()).filterSubjects(SPEC.filterSubjects()).ackPolicy(AckPolicy.Explicit)
        .ackWait(Duration.ofSeconds(5)).build());
    env.vertx().deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        return env.bridge().subscribe(SPEC, Handlers.of(Topology.ORDER_PLACED, EventSubscriptionComponentTest::handle)
            .onGiveUp(Topology.ORDER_PLACED, EventSubscriptionComponentTest::giveUp));
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
      case "undecided-until-five" -> delivery.attempt() < 5
          ? Future.failedFuture(new Undecided("cannot tell yet", null)) : Future.succeededFuture();
      case "poison", "poison-compensated-late" ->
          Future.failedFuture(new PoisonMessage("customer poison is not welcome"));
      default -> Future.succeededFuture();
    };
  }

  /** Records each compensation; the first one of customer poison-compensated-late fails. */
  private static Future<?> giveUp(OrderPlaced event, String reason) {
    List<String> reasons = giveUps.computeIfAbsent(event.getOrderId(), id -> new CopyOnWriteArrayList<>());
    reasons.add(reason);
    return event.getCustomerId().equals("poison-compensated-late") && reasons.size() == 1
        ? Future.failedFuture(new IllegalStateException("the broker is away")) : Future.succeededFuture();
  }

  private static void publish(String orderId, String customerId) {
    publish(orderId, valid(orderId, customerId));
  }

  private static void publish(String subjectOrderId, OrderPlaced event) {
    env.bridge().publisher().publish(Topology.ORDER_PLACED, subjectOrderId, event).await();
  }

  /** An event of the shape Orderflow writes. */
  private static OrderPlaced valid(String orderId, String customerId) {
    Money price = Money.newBuilder().setAmountMinor(1250).setCurrency("EUR").build();
    return OrderPlaced.newBuilder().setEventId("e-" + orderId).setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setCustomerId(customerId)
        .addLines(OrderLine.newBuilder().setSku("MUG-LOGO").setQuantity(2).setUnitPrice(price))
        .setTotal(price.toBuilder().setAmountMinor(2500))
        .build();
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
  @DisplayName("retries an undecided failure past the delivery limit, never dead-lettering it, until it is decided")
  void undecided() throws Exception {
    publish("o-undecided", "undecided-until-five");
    eventually(() -> attempts.getOrDefault("o-undecided", List.of()), tries -> tries.size() == 5);
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts.get("o-undecided")).containsExactly(1, 2, 3, 4, 5);
    assertThat(deadLetters("o-undecided")).isEmpty();
  }

  @Test
  @DisplayName("dead-letters a poison message at once, without retrying it")
  void poison() throws Exception {
    publish("o-poison", "poison");
    MessageInfo letter = eventually(() -> deadLetters("o-poison"), letters -> letters.size() == 1).get(0);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON)).isEqualTo("customer poison is not welcome");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts.get("o-poison")).containsExactly(1);
    assertThat(giveUps.get("o-poison")).containsExactly("customer poison is not welcome");
  }

  @Test
  @DisplayName("dead-letters an event of the wrong shape before its handler sees it, and compensates its order")
  void invalidShape() throws Exception {
    OrderPlaced valid = valid("o-negative", "mallory");
    publish("o-negative", valid.toBuilder().setLines(0, valid.getLines(0).toBuilder().setQuantity(-5)).build());
    MessageInfo letter = eventually(() -> deadLetters("o-negative"), letters -> letters.size() == 1).get(0);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON))
        .isEqualTo("invalid OrderPlaced o-negative: line 1 asks for -5 units (a line takes 1 to 1000000)");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts).doesNotContainKey("o-negative");
    assertThat(giveUps.get("o-negative")).containsExactly(letter.getHeaders().getFirst(DeadLetters.REASON));
  }

  @Test
  @DisplayName("dead-letters an event published on another order's subject without compensating either order")
  void otherOrdersSubject() throws Exception {
    publish("o-victim", valid("o-intruder", "mallory"));
    MessageInfo letter = eventually(() -> deadLetters("o-intruder"), letters -> letters.size() == 1).get(0);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON)).isEqualTo(
        "invalid OrderPlaced: published on the subject of order o-victim but is about order o-intruder");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(giveUps).doesNotContainKeys("o-victim", "o-intruder");
  }

  @Test
  @DisplayName("redelivers a poison event whose compensation failed, and dead-letters it once that succeeds")
  void compensationRetried() throws Exception {
    publish("o-late", "poison-compensated-late");
    MessageInfo letter = eventually(() -> deadLetters("o-late"), letters -> letters.size() == 1).get(0);
    assertThat(letter.getHeaders().getFirst(DeadLetters.REASON)).isEqualTo("customer poison is not welcome");
    eventually(() -> env.nats().idle("ORDERS", SPEC.durable()), idle -> idle);
    assertThat(attempts.get("o-late")).containsExactly(1, 2);
    assertThat(giveUps.get("o-late")).hasSize(2);
  }
}
