package dev.orderflow.orders;

import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentRefunded;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockReserved;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The order view, made from the order's events as the contexts stored them: nothing keeps a view of its own, so
 * the view can never disagree with what happened. Pure, so every path is unit-tested without a broker.
 *
 * <p>Each step's outcome is stored at most once per order (see {@code EventPublisher.publishFirst}), and a terminal
 * status never changes: a cancellation stands whatever else is found, and nothing follows a shipment.
 */
final class OrderProjection {

  /**
   * What is known of one order: its {@code OrderPlaced} and each later event found, or {@code null} for those not
   * (yet) there.
   */
  record Events(
      OrderPlaced placed,
      StockReserved reserved,
      PaymentAuthorized paid,
      OrderConfirmed confirmed,
      OrderCancelled cancelled,
      ShipmentScheduled shipped,
      PaymentRefunded refunded) {

    /** The events of an order without a refund. */
    Events(OrderPlaced placed, StockReserved reserved, PaymentAuthorized paid, OrderConfirmed confirmed,
        OrderCancelled cancelled, ShipmentScheduled shipped) {
      this(placed, reserved, paid, confirmed, cancelled, shipped, null);
    }
  }

  private OrderProjection() {}

  static Order project(Events events) {
    OrderPlaced placed = events.placed();
    Map<OrderStatus, Instant> transitions = new EnumMap<>(OrderStatus.class);
    transitions.put(OrderStatus.PENDING, EventTime.toInstant(placed.getOccurredAt()));
    OrderStatus status = OrderStatus.PENDING;
    if (events.reserved() != null) {
      status = OrderStatus.RESERVED;
      transitions.put(status, EventTime.toInstant(events.reserved().getOccurredAt()));
    }
    if (events.paid() != null) {
      status = OrderStatus.PAID;
      transitions.put(status, EventTime.toInstant(events.paid().getOccurredAt()));
    }
    if (events.cancelled() != null) {
      status = OrderStatus.CANCELLED;
      transitions.put(status, EventTime.toInstant(events.cancelled().getOccurredAt()));
    } else {
      if (events.confirmed() != null) {
        status = OrderStatus.CONFIRMED;
        transitions.put(status, EventTime.toInstant(events.confirmed().getOccurredAt()));
      }
      if (events.shipped() != null) {
        status = OrderStatus.SHIPPED;
        transitions.put(status, EventTime.toInstant(events.shipped().getOccurredAt()));
      }
    }
    inOrder(transitions);
    List<Order.Line> lines = placed.getLinesList().stream()
        .map(line -> new Order.Line(line.getSku(), line.getQuantity(), line.getUnitPrice().getAmountMinor()))
        .toList();
    return new Order(placed.getOrderId(), placed.getCustomerId(), lines, placed.getTotal().getAmountMinor(),
        placed.getTotal().getCurrency(), status,
        events.cancelled() == null ? null : events.cancelled().getReason(), transitions, refund(events.refunded()));
  }

  private static Order.Refund refund(PaymentRefunded refunded) {
    return refunded == null ? null : new Order.Refund(refunded.getRefundId(), refunded.getAmount().getAmountMinor(),
        EventTime.toInstant(refunded.getOccurredAt()));
  }

  /**
   * The steps are timed by the clocks of the processes that took them, which may disagree a little: no time is
   * shown later than a step after it (a cancellation, when there is one, is the last step), so the timeline always
   * reads in order.
   */
  private static void inOrder(Map<OrderStatus, Instant> transitions) {
    Instant later = null;
    OrderStatus[] statuses = OrderStatus.values();
    for (int i = statuses.length - 1; i >= 0; i--) {
      Instant at = transitions.get(statuses[i]);
      if (at == null) {
        continue;
      }
      if (later != null && at.isAfter(later)) {
        transitions.put(statuses[i], later);
        at = later;
      }
      later = at;
    }
  }
}
