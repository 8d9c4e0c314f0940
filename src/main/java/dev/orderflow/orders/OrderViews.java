package dev.orderflow.orders;

import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.util.List;

/**
 * Order views, read from the order's events in the streams (each context's record of the order): six direct gets
 * at once, one round trip. No view is written on the saga's way, so the saga pays nothing for it.
 */
final class OrderViews {

  private final EventLog log;

  OrderViews(EventLog log) {
    this.log = log;
  }

  /** The view, or {@code null} if there is no such order (yet). */
  Future<Order> get(String orderId) {
    var placed = log.find(Topology.ORDER_PLACED, orderId);
    var reserved = log.find(Topology.STOCK_RESERVED, orderId);
    var paid = log.find(Topology.PAYMENT_AUTHORIZED, orderId);
    var confirmed = log.find(Topology.ORDER_CONFIRMED, orderId);
    var cancelled = log.find(Topology.ORDER_CANCELLED, orderId);
    var shipped = log.find(Topology.SHIPMENT_SCHEDULED, orderId);
    var refunded = log.find(Topology.PAYMENT_REFUNDED, orderId);
    return Future.all(List.of(placed, reserved, paid, confirmed, cancelled, shipped, refunded)).map(all -> {
      OrderPlaced order = placed.result();
      if (order == null || order.getLinesCount() == 0 || !order.hasTotal()) {
        // Only an order the API accepted is one; anything else on its subject was dead-lettered, never processed.
        return null;
      }
      return OrderProjection.project(new OrderProjection.Events(order, reserved.result(), paid.result(),
          confirmed.result(), cancelled.result(), shipped.result(), refunded.result()));
    });
  }
}
