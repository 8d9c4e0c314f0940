package dev.orderflow.messaging;

import dev.orderflow.config.Catalogue;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.events.EventRules;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.nats.NatsEventPublisher;
import dev.orderflow.messaging.operate.ToolConnections;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills a fresh Orderflow store with a history of orders for {@code bin/list-benchmark}: N orders of C customers
 * ({@code lb-00000} ...), placed one after another over the last {@value #SPAN_DAYS} days, of which about 90 % end
 * SHIPPED, 9.9 % CANCELLED and 0.1 % stay open (PENDING). Each order is its {@code OrderPlaced}, then its {@code
 * ShipmentScheduled} or {@code OrderCancelled}, made from the generated protobuf classes, sound by {@link EventRules}
 * and published as {@link EventPublisher} publishes them (message id, expected stream, write-once expectations),
 * straight onto the streams: no saga runs for them. Then every durable consumer of the {@link Topology} is moved past
 * them (JetStream's consumer reset, nats-server 2.14 or newer), so that the saga, once started, has none of them to
 * process. The same seed makes the same orders.
 *
 * <p>Usage: {@code StoreFiller --nats URL --orders N --customers C [--seed S]}, run from the repository with the
 * service's configuration ({@code ORDERFLOW_CONFIG}: its catalogue and NATS credentials), on streams the service has
 * provisioned and nothing has written to. Prints one JSON object; progress goes to standard error.
 */
public final class StoreFiller {

  private static final int SPAN_DAYS = 180;
  /** Orders whose events await the stream's acknowledgement at once. */
  private static final int WINDOW = 1_000;
  private static final double OPEN_SHARE = 0.001;
  private static final double CANCELLED_SHARE = 0.099;
  private static final List<CancellationReason> REASONS = List.of(CancellationReason.OUT_OF_STOCK,
      CancellationReason.PAYMENT_DECLINED, CancellationReason.PAYMENT_FAILED, CancellationReason.CUSTOMER_REQUESTED);

  private final JetStream jetStream;
  private final Catalogue catalogue;
  private final Semaphore window = new Semaphore(WINDOW);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong filled = new AtomicLong();

  private StoreFiller(JetStream jetStream, Catalogue catalogue) {
    this.jetStream = jetStream;
    this.catalogue = catalogue;
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    long orders = 0;
    int customers = 0;
    long seed = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--nats" -> url = args[i + 1];
        case "--orders" -> orders = Long.parseLong(args[i + 1]);
        case "--customers" -> customers = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (url == null || orders < 1 || customers < 1 || args.length % 2 != 0) {
      usage("--nats, --orders and --customers are required");
    }
    Catalogue catalogue = ConfigLoader.loadNow(new JsonObject()).catalogue();
    try (Connection connection = ToolConnections.open(url)) {
      System.out.println(fill(connection, catalogue, orders, customers, seed).encode());
    }
  }

  /**
   * Fills the store behind {@code connection} (its streams provisioned, and empty) and moves the durable consumers
   * past what it wrote; answers what it made and how long it took.
   */
  static JsonObject fill(Connection connection, Catalogue catalogue, long orders, int customers, long seed)
      throws Exception {
    JetStreamManagement management = connection.jetStreamManagement();
    requireFreshTopology(management);
    JetStream jetStream = connection.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(30))
        .build());
    long start = System.nanoTime();
    JsonObject counts = new StoreFiller(jetStream, catalogue).write(orders, customers, seed);
    double publishSeconds = (System.nanoTime() - start) / 1e9;
    long resetStart = System.nanoTime();
    int reset = moveConsumersPastTheFill(management);
    double resetSeconds = (System.nanoTime() - resetStart) / 1e9;
    return counts
        .put("publishSeconds", round(publishSeconds))
        .put("consumersReset", reset)
        .put("resetSeconds", round(resetSeconds))
        .put("ordersStreamMessages", management.getStreamInfo(Topology.ORDERS.name()).getStreamState().getMsgCount())
        .put("shippingStreamMessages",
            management.getStreamInfo(Topology.SHIPPING.name()).getStreamState().getMsgCount());
  }

  private static void usage(String problem) {
    System.err.println("error: " + problem
        + "\nusage: StoreFiller --nats URL --orders N --customers C [--seed S]");
    System.exit(2);
  }

  /** The streams and consumers must be there (the service provisions them) and the streams empty. */
  private static void requireFreshTopology(JetStreamManagement management) throws Exception {
    for (StreamSpec stream : Topology.STREAMS) {
      long messages;
      try {
        messages = management.getStreamInfo(stream.name()).getStreamState().getMsgCount();
      } catch (JetStreamApiException e) {
        throw new IllegalStateException("stream " + stream.name() + " is missing (" + e.getMessage()
            + "): start the service once on this NATS so that it provisions its streams and consumers");
      }
      if (messages > 0 && stream != Topology.DEAD_LETTERS) {
        throw new IllegalStateException("stream " + stream.name() + " already holds " + messages
            + " messages: the filler writes into a fresh store only");
      }
    }
    for (ConsumerSpec consumer : Topology.CONSUMERS) {
      management.getConsumerInfo(consumer.stream().name(), consumer.durable());
    }
  }

  /** Publishes the orders' events, at most {@value #WINDOW} orders awaiting acknowledgements at once. */
  private JsonObject write(long orders, int customers, long seed) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    Instant end = Instant.now().minus(Duration.ofMinutes(1));
    Instant start = end.minus(Duration.ofDays(SPAN_DAYS));
    long stepMicros = Math.max(1, Duration.between(start, end).toNanos() / 1_000 / orders);
    int width = Math.max(5, Integer.toString(customers - 1).length());
    List<Catalogue.Item> items = List.copyOf(catalogue.items());
    long shipped = 0;
    long cancelled = 0;
    String lastOrderId = null;
    Instant lastPlacedAt = null;
    long nextReport = System.nanoTime() + 5_000_000_000L;
    long began = System.nanoTime();
    for (long i = 0; i < orders && failure.get() == null; i++) {
      String orderId = uuid(random);
      String customerId = "lb-" + String.format("%0" + width + "d", random.nextInt(customers));
      Instant placedAt = start.plusNanos((i * stepMicros + random.nextLong(stepMicros)) * 1_000);
      OrderPlaced placed = placed(random, items, orderId, customerId, placedAt);
      double outcome = random.nextDouble();
      Ending ending;
      if (outcome < OPEN_SHARE) {
        ending = null;
      } else if (outcome < OPEN_SHARE + CANCELLED_SHARE) {
        cancelled++;
        ending = cancelled(random, orderId, placedAt);
      } else {
        shipped++;
        ending = shipped(random, orderId, placedAt);
      }
      window.acquire();
      publish(Topology.ORDER_PLACED, orderId, placed, first(Topology.ORDER_PLACED, orderId))
          .thenCompose(ack -> ending == null ? CompletableFuture.completedFuture(ack) : ending.publish(ack))
          .whenComplete((ack, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            } else {
              filled.incrementAndGet();
            }
            window.release();
          });
      lastOrderId = orderId;
      lastPlacedAt = placedAt;
      if (System.nanoTime() > nextReport) {
        nextReport += 5_000_000_000L;
        System.err.printf("filled %,d of %,d orders (%,.0f orders/s)%n", filled.get(), orders,
            filled.get() / ((System.nanoTime() - began) / 1e9));
      }
    }
    window.acquire(WINDOW);
    if (failure.get() != null) {
      throw new IllegalStateException("a publish failed: " + NatsEventPublisher.translate(failure.get()).getMessage(),
          failure.get());
    }
    return new JsonObject()
        .put("orders", filled.get())
        .put("customers", customers)
        .put("shipped", shipped)
        .put("cancelled", cancelled)
        .put("open", filled.get() - shipped - cancelled)
        .put("seed", seed)
        .put("firstPlacedAt", start.toString())
        .put("lastOrderId", lastOrderId)
        .put("lastPlacedAt", lastPlacedAt.toString());
  }

  /** An order's ending, published once its placing is stored (the cancellation names that event's sequence). */
  @FunctionalInterface
  private interface Ending {
    CompletableFuture<PublishAck> publish(PublishAck placed);
  }

  private OrderPlaced placed(SplittableRandom random, List<Catalogue.Item> items, String orderId, String customerId,
      Instant placedAt) {
    OrderPlaced.Builder event = OrderPlaced.newBuilder()
        .setEventId(uuid(random))
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(placedAt))
        .setCustomerId(customerId);
    long total = 0;
    int lines = 1 + random.nextInt(3);
    for (int line = 0; line < lines; line++) {
      Catalogue.Item item = items.get(random.nextInt(items.size()));
      int quantity = 1 + random.nextInt(3);
      total += quantity * item.unitPriceMinor();
      event.addLines(OrderLine.newBuilder().setSku(item.sku()).setQuantity(quantity)
          .setUnitPrice(money(item.unitPriceMinor())));
    }
    return event.setTotal(money(total)).build();
  }

  private Ending shipped(SplittableRandom random, String orderId, Instant placedAt) {
    ShipmentScheduled event = ShipmentScheduled.newBuilder()
        .setEventId(uuid(random))
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(placedAt.plusMillis(50 + random.nextInt(450))))
        .setShipmentId("shp-" + UUID.nameUUIDFromBytes(orderId.getBytes(StandardCharsets.UTF_8)))
        .setPlacedAt(EventTime.of(placedAt))
        .build();
    return ack -> publish(Topology.SHIPMENT_SCHEDULED, orderId, event, first(Topology.SHIPMENT_SCHEDULED, orderId));
  }

  private Ending cancelled(SplittableRandom random, String orderId, Instant placedAt) {
    OrderCancelled event = OrderCancelled.newBuilder()
        .setEventId(uuid(random))
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(placedAt.plusMillis(20 + random.nextInt(600_000))))
        .setReason(REASONS.get(random.nextInt(REASONS.size())))
        .setPlacedAt(EventTime.of(placedAt))
        .build();
    // As the orders context decides it: only as the next event of the order in its stream (publishAfter).
    return ack -> publish(Topology.ORDER_CANCELLED, orderId, event, PublishOptions.builder()
        .messageId(Topology.ORDER_CANCELLED.messageId(orderId))
        .expectedStream(Topology.ORDERS.name())
        .expectedLastSubjectSequence(ack.getSeqno())
        .expectedLastSubjectSequenceSubject(Topology.ORDERS.orderSubjects(orderId))
        .build());
  }

  /** The options of {@link EventPublisher#publishFirst} with {@code First.OF_ITS_TYPE}. */
  private static PublishOptions first(EventType<?> type, String orderId) {
    return PublishOptions.builder()
        .messageId(type.messageId(orderId))
        .expectedStream(type.stream().name())
        .expectedLastSubjectSequence(0)
        .build();
  }

  private <T extends com.google.protobuf.Message> CompletableFuture<PublishAck> publish(EventType<T> type,
      String orderId, T event, PublishOptions options) {
    String problem = type.problemOf().apply(event);
    if (problem != null) {
      throw new IllegalStateException(type.name() + " of " + orderId + " is not sound: " + problem);
    }
    return jetStream.publishAsync(type.subject(orderId),
        NatsEventPublisher.withExpectations(new Headers(), options), event.toByteArray());
  }

  /**
   * Moves every durable consumer of the topology past what its stream holds now (the filled history, nothing else:
   * the streams were empty), and checks that none has anything left to deliver. Answers how many were moved.
   */
  private static int moveConsumersPastTheFill(JetStreamManagement management) throws Exception {
    int moved = 0;
    for (ConsumerSpec consumer : Topology.CONSUMERS) {
      String stream = consumer.stream().name();
      ConsumerInfo info = management.getConsumerInfo(stream, consumer.durable());
      if (info.getNumPending() == 0 && info.getNumAckPending() == 0) {
        continue;
      }
      long last = management.getStreamInfo(stream).getStreamState().getLastSequence();
      try {
        management.resetConsumer(stream, consumer.durable(), last + 1);
      } catch (JetStreamApiException e) {
        throw new IllegalStateException("could not move consumer " + consumer.durable() + " past the filled events"
            + " (a consumer reset needs nats-server 2.14 or newer): " + e.getMessage(), e);
      }
      moved++;
    }
    for (ConsumerSpec consumer : Topology.CONSUMERS) {
      ConsumerInfo info = management.getConsumerInfo(consumer.stream().name(), consumer.durable());
      if (info.getNumPending() != 0 || info.getNumAckPending() != 0) {
        throw new IllegalStateException("consumer " + consumer.durable() + " still has " + info.getNumPending()
            + " pending and " + info.getNumAckPending() + " unacknowledged after the reset");
      }
    }
    return moved;
  }

  private Money money(long minor) {
    return Money.newBuilder().setAmountMinor(minor).setCurrency(catalogue.currency()).build();
  }

  /** A version 4 UUID from {@code random}, in the form the service gives order ids. */
  private static String uuid(SplittableRandom random) {
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least).toString();
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
