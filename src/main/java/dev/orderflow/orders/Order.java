package dev.orderflow.orders;

import dev.orderflow.events.v1.CancellationReason;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The order view: what the customer ordered and where the order stands. Immutable; {@link OrderProjection} makes
 * it from the order's events.
 *
 * @param transitions when the order reached each status it has been in
 * @param cancellationReason set only when {@code status} is CANCELLED
 * @param refund the refund of its payment, if a cancellation on request came after the charge; else {@code null}
 */
record Order(
    String id,
    String customerId,
    List<Line> lines,
    long totalMinor,
    String currency,
    OrderStatus status,
    CancellationReason cancellationReason,
    Map<OrderStatus, Instant> transitions,
    Refund refund) {

  /** One line: a SKU, how many, and the catalogue's unit price in minor units. */
  record Line(String sku, int quantity, long unitPriceMinor) {}

  /** A refund of the order's payment: the gateway's id, how much, and when. */
  record Refund(String refundId, long amountMinor, Instant at) {}

  Order {
    lines = List.copyOf(lines);
    EnumMap<OrderStatus, Instant> copy = new EnumMap<>(OrderStatus.class);
    copy.putAll(transitions);
    transitions = Collections.unmodifiableMap(copy);
  }
}
