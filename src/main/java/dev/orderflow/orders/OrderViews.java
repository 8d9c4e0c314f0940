package dev.orderflow.orders;

import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.OrderIds;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;

/**
 * Order views, read from the order's events in the streams (each context's record of the order): five direct gets
 * at once, one round trip. No view is written on the saga's way, so the saga pays nothing for it.
 */
final class OrderViews {

  private final EventLog log;

  OrderViews(EventLog log) {
    this.log = log;
  }

  /** Whether {@code orderId} could name an order at all (anything else is simply not found). */
  static boolean plausibleId(String orderId) {
    return OrderIds.valid(orderId);
  }

  /** The view, or {@code null} if there is no such order (yet). */
  Future<Order> get(String orderId) {
    var placed = log.find(Topology.ORDER_PLACED, orderId);
    var reserved = log.find(Topology.STOCK_RESERVED, orderId);
    var paid = log.find(Topology.PAYMENT_AUTHORIZED, orderId);
    // The orders stream's last event of the order: its decision (confirmed or cancelled), or OrderPlaced.
    var decided = log.last(Topology.ORDER_PLACED, orderId);
    var shipped = log.find(Topology.SHIPMENT_SCHEDULED, orderId);
    return Future.all(placed, reserved, paid, decided, shipped).map(all -> {
      if (placed.result() == null) {
        return null;
      }
      var decision = decided.result() == null ? null : decided.result().event();
      return OrderProjection.project(new OrderProjection.Events(placed.result(), reserved.result(), paid.result(),
          decision instanceof OrderConfirmed confirmed ? confirmed : null,
          decision instanceof OrderCancelled cancelled ? cancelled : null,
          shipped.result()));
    });
  }
}
