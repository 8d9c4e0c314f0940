package dev.orderflow.orders;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The order view as the JSON document {@code GET /orders/{id}} returns.
 */
final class OrderJson {

  private OrderJson() {}

  static JsonObject toJson(Order order) {
    JsonArray items = new JsonArray();
    for (Order.Line line : order.lines()) {
      items.add(new JsonObject()
          .put("sku", line.sku())
          .put("quantity", line.quantity())
          .put("unitPrice", money(line.unitPriceMinor(), order.currency())));
    }
    JsonArray transitions = new JsonArray();
    order.transitions().forEach((status, at) ->
        transitions.add(new JsonObject().put("status", status.name()).put("at", at.toString())));
    JsonObject json = new JsonObject()
        .put("orderId", order.id())
        .put("customerId", order.customerId())
        .put("status", order.status().name());
    if (order.cancellationReason() != null) {
      json.put("cancellationReason", order.cancellationReason().name());
    }
    json
        .put("items", items)
        .put("total", money(order.totalMinor(), order.currency()))
        .put("transitions", transitions);
    if (order.refund() != null) {
      json.put("refund", new JsonObject()
          .put("refundId", order.refund().refundId())
          .put("amount", money(order.refund().amountMinor(), order.currency()))
          .put("at", order.refund().at().toString()));
    }
    return json;
  }

  private static JsonObject money(long minor, String currency) {
    return new JsonObject().put("amountMinor", minor).put("currency", currency);
  }
}
