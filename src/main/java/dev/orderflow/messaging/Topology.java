package dev.orderflow.messaging;

import dev.orderflow.events.EventRules;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.PaymentRefunded;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Every stream, subject, durable consumer and key-value bucket of Orderflow, in one table. Nothing else in the
 * code base spells a subject or stream name.
 *
 * <p>Each bounded context publishes into a stream of its own, each event on a subject that ends with its order's
 * id; each context that listens to another's stream has one durable consumer on it, filtered to the events it
 * handles. The streams are also the contexts' records of each order: an event is written once per order (see
 * {@link EventPublisher#publishFirst}), and read back by subject (see {@link EventLog}).
 */
public final class Topology {

  public static final StreamSpec ORDERS = new StreamSpec("ORDERS", "orders");
  public static final StreamSpec INVENTORY = new StreamSpec("INVENTORY", "inventory");
  public static final StreamSpec PAYMENTS = new StreamSpec("PAYMENTS", "payments");
  public static final StreamSpec SHIPPING = new StreamSpec("SHIPPING", "shipping");
  /** Messages given up on, each with the reason in a header. */
  public static final StreamSpec DEAD_LETTERS = new StreamSpec("DEADLETTERS", "deadletter");

  public static final EventType<OrderPlaced> ORDER_PLACED = EventType.of(ORDERS, "placed",
      OrderPlaced.getDefaultInstance(), OrderPlaced::getOrderId, OrderPlaced::getEventId,
      EventRules::orderPlaced);
  public static final EventType<OrderConfirmed> ORDER_CONFIRMED = EventType.of(ORDERS, "confirmed",
      OrderConfirmed.getDefaultInstance(), OrderConfirmed::getOrderId, OrderConfirmed::getEventId,
      EventRules::orderConfirmed);
  public static final EventType<OrderCancelled> ORDER_CANCELLED = EventType.of(ORDERS, "cancelled",
      OrderCancelled.getDefaultInstance(), OrderCancelled::getOrderId, OrderCancelled::getEventId,
      EventRules::orderCancelled);
  public static final EventType<StockReserved> STOCK_RESERVED = EventType.of(INVENTORY, "stock-reserved",
      StockReserved.getDefaultInstance(), StockReserved::getOrderId, StockReserved::getEventId,
      EventRules::stockReserved);
  public static final EventType<StockRejected> STOCK_REJECTED = EventType.of(INVENTORY, "stock-rejected",
      StockRejected.getDefaultInstance(), StockRejected::getOrderId, StockRejected::getEventId,
      EventRules::stockRejected);
  public static final EventType<StockReleased> STOCK_RELEASED = EventType.of(INVENTORY, "stock-released",
      StockReleased.getDefaultInstance(), StockReleased::getOrderId, StockReleased::getEventId,
      EventRules::stockReleased);
  public static final EventType<PaymentAuthorized> PAYMENT_AUTHORIZED = EventType.of(PAYMENTS, "authorized",
      PaymentAuthorized.getDefaultInstance(), PaymentAuthorized::getOrderId, PaymentAuthorized::getEventId,
      EventRules::paymentAuthorized);
  public static final EventType<PaymentDeclined> PAYMENT_DECLINED = EventType.of(PAYMENTS, "declined",
      PaymentDeclined.getDefaultInstance(), PaymentDeclined::getOrderId, PaymentDeclined::getEventId,
      EventRules::paymentDeclined);
  public static final EventType<PaymentFailed> PAYMENT_FAILED = EventType.of(PAYMENTS, "failed",
      PaymentFailed.getDefaultInstance(), PaymentFailed::getOrderId, PaymentFailed::getEventId,
      EventRules::paymentFailed);
  public static final EventType<PaymentRefunded> PAYMENT_REFUNDED = EventType.of(PAYMENTS, "refunded",
      PaymentRefunded.getDefaultInstance(), PaymentRefunded::getOrderId, PaymentRefunded::getEventId,
      EventRules::paymentRefunded);
  public static final EventType<ShipmentScheduled> SHIPMENT_SCHEDULED = EventType.of(SHIPPING, "shipment-scheduled",
      ShipmentScheduled.getDefaultInstance(), ShipmentScheduled::getOrderId, ShipmentScheduled::getEventId,
      EventRules::shipmentScheduled);

  public static final List<EventType<?>> EVENTS = List.of(ORDER_PLACED, ORDER_CONFIRMED, ORDER_CANCELLED,
      STOCK_RESERVED, STOCK_REJECTED, STOCK_RELEASED, PAYMENT_AUTHORIZED, PAYMENT_DECLINED, PAYMENT_FAILED,
      PAYMENT_REFUNDED, SHIPMENT_SCHEDULED);

  public static final ConsumerSpec ORDERS_ON_INVENTORY = consumer("orders-inventory", INVENTORY, STOCK_REJECTED);
  /* Every event of the payments stream (refunds too, which orders only acknowledge), so that one filter serves it. */
  public static final ConsumerSpec ORDERS_ON_PAYMENTS = consumer("orders-payments", PAYMENTS, PAYMENT_AUTHORIZED,
      PAYMENT_DECLINED, PAYMENT_FAILED, PAYMENT_REFUNDED);
  public static final ConsumerSpec INVENTORY_ON_ORDERS = consumer("inventory-orders", ORDERS, ORDER_PLACED);
  /*
   * Inventory takes two of the payments stream's three events, on one consumer each: nats-server 2.15 looks for the
   * next message of a consumer with several filters by walking every subject of the stream (one per order) each time
   * the consumer wakes up, while a single filter is looked up by its prefix. The first keeps its name from when it
   * took both, so that an upgrade leaves no durable behind.
   */
  public static final ConsumerSpec INVENTORY_ON_PAYMENT_DECLINED =
      consumer("inventory-payments", PAYMENTS, PAYMENT_DECLINED);
  public static final ConsumerSpec INVENTORY_ON_PAYMENT_FAILED =
      consumer("inventory-payments-failed", PAYMENTS, PAYMENT_FAILED);
  public static final ConsumerSpec INVENTORY_ON_PAYMENT_REFUNDED =
      consumer("inventory-payments-refunded", PAYMENTS, PAYMENT_REFUNDED);
  public static final ConsumerSpec PAYMENTS_ON_INVENTORY = consumer("payments-inventory", INVENTORY, STOCK_RESERVED);
  /** Cancellations, so that payments refunds (or voids) the charge of an order cancelled on request. */
  public static final ConsumerSpec PAYMENTS_ON_ORDER_CANCELLED = consumer("payments-orders", ORDERS, ORDER_CANCELLED);
  public static final ConsumerSpec SHIPPING_ON_ORDERS = consumer("shipping-orders", ORDERS, ORDER_CONFIRMED);

  /** {@code Idempotency-Key} of {@code POST /orders} → the order it created; entries expire. */
  public static final BucketSpec IDEMPOTENCY_KEYS = new BucketSpec("idempotency-keys", true);
  /** Stock per SKU. */
  public static final BucketSpec STOCK = new BucketSpec("stock", false);

  public static final List<StreamSpec> STREAMS = List.of(ORDERS, INVENTORY, PAYMENTS, SHIPPING, DEAD_LETTERS);
  public static final List<ConsumerSpec> CONSUMERS = List.of(ORDERS_ON_INVENTORY, ORDERS_ON_PAYMENTS,
      INVENTORY_ON_ORDERS, INVENTORY_ON_PAYMENT_DECLINED, INVENTORY_ON_PAYMENT_FAILED, INVENTORY_ON_PAYMENT_REFUNDED,
      PAYMENTS_ON_INVENTORY, PAYMENTS_ON_ORDER_CANCELLED, SHIPPING_ON_ORDERS);
  public static final List<BucketSpec> BUCKETS = List.of(IDEMPOTENCY_KEYS, STOCK);

  private Topology() {}

  /**
   * How long {@code stream} remembers message ids: the configured window, and for the dead-letter stream at least
   * twice the consumers' longest backoff. A dead letter whose store failed is retried after that backoff, so a copy
   * stored but not acknowledged is then recognised rather than stored twice; that stream's traffic is small, so its
   * longer window costs nothing.
   */
  public static Duration duplicateWindow(StreamSpec stream, Duration configured, Duration longestBackoff) {
    Duration retry = longestBackoff.multipliedBy(2);
    return stream == DEAD_LETTERS && retry.compareTo(configured) > 0 ? retry : configured;
  }

  /** The dead-letter subject for messages given up by {@code consumer}. */
  public static String deadLetterSubject(ConsumerSpec consumer) {
    return DEAD_LETTERS.token() + "." + consumer.durable();
  }

  /** The event type whose subjects start with {@code prefix}, or {@code null}. */
  public static EventType<?> eventType(String prefix) {
    for (EventType<?> type : EVENTS) {
      if (type.prefix().equals(prefix)) {
        return type;
      }
    }
    return null;
  }

  private static ConsumerSpec consumer(String durable, StreamSpec stream, EventType<?>... events) {
    return new ConsumerSpec(durable, stream, Arrays.asList(events));
  }
}
