package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.events.EventRules;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.messaging.PoisonMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stock an order's lines ask for, one line per SKU. Events are checked as strictly as the API checks requests:
 * a line that names no SKU of the catalogue or an impossible quantity makes the event poison, since it could only
 * have been forged, and applying it could raise stock instead of taking it.
 */
final class StockLines {

  /** One SKU and how many units of it. */
  record Line(String sku, long quantity) {}


  private StockLines() {}

  /** The lines of {@code event}, merged per SKU in a stable order; throws {@link PoisonMessage} if invalid. */
  static List<Line> of(String event, String orderId, List<OrderLine> lines, Catalogue catalogue) {
    if (lines.isEmpty()) {
      throw new PoisonMessage(event + " " + orderId + " has no lines");
    }
    Map<String, Long> bySku = new TreeMap<>();
    for (OrderLine line : lines) {
      if (catalogue.item(line.getSku()).isEmpty()) {
        throw new PoisonMessage(event + " " + orderId + " names SKU '" + abbreviate(line.getSku())
            + "', which is not in the catalogue");
      }
      if (line.getQuantity() < 1 || line.getQuantity() > EventRules.MAX_QUANTITY) {
        throw new PoisonMessage(event + " " + orderId + " asks for " + line.getQuantity() + " units of "
            + line.getSku() + "; a line takes 1 to " + EventRules.MAX_QUANTITY);
      }
      bySku.merge(line.getSku(), (long) line.getQuantity(), Long::sum);
    }
    List<Line> plan = new ArrayList<>(bySku.size());
    bySku.forEach((sku, quantity) -> plan.add(new Line(sku, quantity)));
    return plan;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
