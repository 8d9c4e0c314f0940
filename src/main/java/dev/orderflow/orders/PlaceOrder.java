package dev.orderflow.orders;

import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import java.time.Instant;
import java.util.List;

/** A validated, priced request to place an order. */
record PlaceOrder(String customerId, String currency, List<Order.Line> lines, long totalMinor) {

  PlaceOrder {
    lines = List.copyOf(lines);
  }

  /** The event that records this order as placed. */
  OrderPlaced toEvent(String orderId, Instant now) {
    OrderPlaced.Builder event = OrderPlaced.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(now))
        .setCustomerId(customerId)
        .setTotal(money(totalMinor));
    for (Order.Line line : lines) {
      event.addLines(OrderLine.newBuilder()
          .setSku(line.sku())
          .setQuantity(line.quantity())
          .setUnitPrice(money(line.unitPriceMinor())));
    }
    return event.build();
  }

  /**
   * A digest of what was asked for, to tell a retried request (same {@code Idempotency-Key}, same order) from a
   * reused key (same key, different order).
   */
  String fingerprint() {
    StringBuilder canonical = new StringBuilder(customerId).append('\n').append(currency);
    for (Order.Line line : lines) {
      canonical.append('\n').append(line.sku()).append('\t').append(line.quantity());
    }
    return Digests.sha256Hex(canonical.toString());
  }

  private Money money(long minor) {
    return Money.newBuilder().setAmountMinor(minor).setCurrency(currency).build();
  }
}
