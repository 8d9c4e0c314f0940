package dev.orderflow.orders;

import dev.orderflow.events.v1.CancellationReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The order view as JSON: the document stored in the order-view bucket and returned by {@code GET /orders/{id}}
 * are the same.
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
    return json
        .put("items", items)
        .put("total", money(order.totalMinor(), order.currency()))
        .put("transitions", transitions);
  }

  static Order fromJson(JsonObject json) {
    JsonObject total = json.getJsonObject("total");
    List<Order.Line> lines = new ArrayList<>();
    for (Object item : json.getJsonArray("items")) {
      JsonObject line = (JsonObject) item;
      lines.add(new Order.Line(line.getString("sku"), line.getInteger("quantity"),
          line.getJsonObject("unitPrice").getLong("amountMinor")));
    }
    Map<OrderStatus, Instant> transitions = new EnumMap<>(OrderStatus.class);
    for (Object entry : json.getJsonArray("transitions")) {
      JsonObject transition = (JsonObject) entry;
      transitions.put(OrderStatus.valueOf(transition.getString("status")), Instant.parse(transition.getString("at")));
    }
    String reason = json.getString("cancellationReason");
    return new Order(
        json.getString("orderId"),
        json.getString("customerId"),
        lines,
        total.getLong("amountMinor"),
        total.getString("currency"),
        OrderStatus.valueOf(json.getString("status")),
        reason == null ? null : CancellationReason.valueOf(reason),
        transitions);
  }

  private static JsonObject money(long minor, String currency) {
    return new JsonObject().put("amountMinor", minor).put("currency", currency);
  }
}
