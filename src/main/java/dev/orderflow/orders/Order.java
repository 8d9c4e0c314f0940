package dev.orderflow.orders;

import dev.orderflow.events.v1.CancellationReason;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The order view: what the customer ordered and where the order stands. Immutable; the state machine makes new
 * ones.
 *
 * @param transitions when the order reached each status it has been in
 * @param cancellationReason set only when {@code status} is CANCELLED
 */
record Order(
    String id,
    String customerId,
    List<Line> lines,
    long totalMinor,
    String currency,
    OrderStatus status,
    CancellationReason cancellationReason,
    Map<OrderStatus, Instant> transitions) {

  /** One line: a SKU, how many, and the catalogue's unit price in minor units. */
  record Line(String sku, int quantity, long unitPriceMinor) {}

  Order {
    lines = List.copyOf(lines);
    EnumMap<OrderStatus, Instant> copy = new EnumMap<>(OrderStatus.class);
    copy.putAll(transitions);
    transitions = Collections.unmodifiableMap(copy);
  }

  static Order placed(String id, String customerId, List<Line> lines, long totalMinor, String currency, Instant at) {
    return new Order(id, customerId, lines, totalMinor, currency, OrderStatus.PENDING, null,
        Map.of(OrderStatus.PENDING, at));
  }

  /** This order moved to {@code next} at {@code at}. */
  Order moveTo(OrderStatus next, Instant at) {
    return new Order(id, customerId, lines, totalMinor, currency, next, cancellationReason, with(next, at));
  }

  Order cancel(CancellationReason reason, Instant at) {
    return new Order(id, customerId, lines, totalMinor, currency, OrderStatus.CANCELLED, reason,
        with(OrderStatus.CANCELLED, at));
  }

  /** The same order with a late-arriving fact's time recorded, its status unchanged. */
  Order record(OrderStatus passed, Instant at) {
    return new Order(id, customerId, lines, totalMinor, currency, status, cancellationReason, with(passed, at));
  }

  private Map<OrderStatus, Instant> with(OrderStatus reached, Instant at) {
    EnumMap<OrderStatus, Instant> next = new EnumMap<>(OrderStatus.class);
    next.putAll(transitions);
    next.putIfAbsent(reached, at);
    return next;
  }
}
