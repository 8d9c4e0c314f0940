package dev.orderflow.messaging;

import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import java.util.Arrays;
import java.util.List;

/**
 * Every stream, subject, durable consumer and key-value bucket of Orderflow, in one table. Nothing else in the
 * code base spells a subject or stream name.
 *
 * <p>Each bounded context publishes into a stream of its own; each context that listens to another's stream
 * has one durable consumer on it, filtered to the events it handles.
 */
public final class Topology {

  static final StreamSpec ORDERS = new StreamSpec("ORDERS", "orders.>");
  static final StreamSpec INVENTORY = new StreamSpec("INVENTORY", "inventory.>");
  static final StreamSpec PAYMENTS = new StreamSpec("PAYMENTS", "payments.>");
  static final StreamSpec SHIPPING = new StreamSpec("SHIPPING", "shipping.>");
  /** Messages given up on, each with the reason in a header. */
  static final StreamSpec DEAD_LETTERS = new StreamSpec("DEADLETTERS", "deadletter.>");

  public static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of(ORDERS, "orders.placed", OrderPlaced.getDefaultInstance());
  public static final EventType<OrderConfirmed> ORDER_CONFIRMED =
      EventType.of(ORDERS, "orders.confirmed", OrderConfirmed.getDefaultInstance());
  public static final EventType<OrderCancelled> ORDER_CANCELLED =
      EventType.of(ORDERS, "orders.cancelled", OrderCancelled.getDefaultInstance());
  public static final EventType<StockReserved> STOCK_RESERVED =
      EventType.of(INVENTORY, "inventory.stock-reserved", StockReserved.getDefaultInstance());
  public static final EventType<StockRejected> STOCK_REJECTED =
      EventType.of(INVENTORY, "inventory.stock-rejected", StockRejected.getDefaultInstance());
  public static final EventType<StockReleased> STOCK_RELEASED =
      EventType.of(INVENTORY, "inventory.stock-released", StockReleased.getDefaultInstance());
  public static final EventType<PaymentAuthorized> PAYMENT_AUTHORIZED =
      EventType.of(PAYMENTS, "payments.authorized", PaymentAuthorized.getDefaultInstance());
  public static final EventType<PaymentDeclined> PAYMENT_DECLINED =
      EventType.of(PAYMENTS, "payments.declined", PaymentDeclined.getDefaultInstance());
  public static final EventType<PaymentFailed> PAYMENT_FAILED =
      EventType.of(PAYMENTS, "payments.failed", PaymentFailed.getDefaultInstance());
  public static final EventType<ShipmentScheduled> SHIPMENT_SCHEDULED =
      EventType.of(SHIPPING, "shipping.shipment-scheduled", ShipmentScheduled.getDefaultInstance());

  public static final ConsumerSpec ORDERS_ON_ORDERS = consumer("orders-orders", ORDERS, ORDER_PLACED);
  public static final ConsumerSpec ORDERS_ON_INVENTORY =
      consumer("orders-inventory", INVENTORY, STOCK_RESERVED, STOCK_REJECTED);
  public static final ConsumerSpec ORDERS_ON_PAYMENTS =
      consumer("orders-payments", PAYMENTS, PAYMENT_AUTHORIZED, PAYMENT_DECLINED, PAYMENT_FAILED);
  public static final ConsumerSpec ORDERS_ON_SHIPPING = consumer("orders-shipping", SHIPPING, SHIPMENT_SCHEDULED);
  public static final ConsumerSpec INVENTORY_ON_ORDERS = consumer("inventory-orders", ORDERS, ORDER_PLACED);
  public static final ConsumerSpec INVENTORY_ON_PAYMENTS =
      consumer("inventory-payments", PAYMENTS, PAYMENT_DECLINED, PAYMENT_FAILED);
  public static final ConsumerSpec PAYMENTS_ON_INVENTORY = consumer("payments-inventory", INVENTORY, STOCK_RESERVED);
  public static final ConsumerSpec SHIPPING_ON_ORDERS = consumer("shipping-orders", ORDERS, ORDER_CONFIRMED);

  /** The order view that {@code GET /orders/{id}} reads, keyed by order id. */
  public static final BucketSpec ORDER_VIEWS = new BucketSpec("orders", false);
  /** {@code Idempotency-Key} of {@code POST /orders} → the order it created; entries expire. */
  public static final BucketSpec IDEMPOTENCY_KEYS = new BucketSpec("idempotency-keys", true);
  /** Stock per SKU. */
  public static final BucketSpec STOCK = new BucketSpec("stock", false);
  /** What each order reserved, and whether it was released. */
  public static final BucketSpec RESERVATIONS = new BucketSpec("reservations", false);
  /** The payment ledger: each order's charge outcome. */
  public static final BucketSpec PAYMENT_LEDGER = new BucketSpec("payments", false);
  /** Scheduled shipments, keyed by order id. */
  public static final BucketSpec SHIPMENTS = new BucketSpec("shipments", false);

  static final List<StreamSpec> STREAMS = List.of(ORDERS, INVENTORY, PAYMENTS, SHIPPING, DEAD_LETTERS);
  static final List<ConsumerSpec> CONSUMERS = List.of(
      ORDERS_ON_ORDERS, ORDERS_ON_INVENTORY, ORDERS_ON_PAYMENTS, ORDERS_ON_SHIPPING,
      INVENTORY_ON_ORDERS, INVENTORY_ON_PAYMENTS, PAYMENTS_ON_INVENTORY, SHIPPING_ON_ORDERS);
  static final List<BucketSpec> BUCKETS =
      List.of(ORDER_VIEWS, IDEMPOTENCY_KEYS, STOCK, RESERVATIONS, PAYMENT_LEDGER, SHIPMENTS);

  private Topology() {}

  /** The dead-letter subject for messages given up by {@code consumer}. */
  static String deadLetterSubject(ConsumerSpec consumer) {
    return "deadletter." + consumer.durable();
  }

  private static ConsumerSpec consumer(String durable, StreamSpec stream, EventType<?>... events) {
    return new ConsumerSpec(durable, stream, Arrays.asList(events));
  }
}
