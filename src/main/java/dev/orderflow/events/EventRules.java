package dev.orderflow.events;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentAuthorized;
import dev.orderflow.events.v1.PaymentDeclined;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.PaymentRefunded;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.events.v1.StockRejected;
import dev.orderflow.events.v1.StockReleased;
import dev.orderflow.events.v1.StockReserved;
import java.util.List;

/**
 * The shape of each event as Orderflow writes it, checked on every delivery before a handler acts on it: every
 * field its producer always sets is there and sensible (ids, times, customer, lines, money that adds up). An
 * event that fails is poison; checking the whole shape, not only what the handler reads, is what tells another
 * event's bytes (which often decode without error as any type, since the types share field numbers) or a forged
 * payload from a real event.
 *
 * <p>Each rule answers the first problem found, or {@code null}. Unknown fields stay allowed (schemas evolve by
 * adding fields), but not a known field number arriving with another wire type: no additive change makes that.
 * The rules are cheap (no allocation on a valid event), since they run on every delivery.
 */
public final class EventRules {

  /** The most lines one event may carry: far above what the API accepts ({@code http.maxOrderLines}). */
  public static final int MAX_LINES = 500;
  /** The most units of one line: far above what the API accepts ({@code http.maxQuantityPerLine}). */
  public static final long MAX_QUANTITY = 1_000_000;
  private static final int MAX_ID_LENGTH = 128;

  private EventRules() {}

  public static String orderPlaced(OrderPlaced e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = customer(e.getCustomerId());
    }
    return problem != null ? problem : linesAndTotal(e.getLinesList(), e.getTotal(), "total");
  }

  public static String stockReserved(StockReserved e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = customer(e.getCustomerId());
    }
    if (problem == null) {
      problem = linesAndTotal(e.getLinesList(), e.getTotal(), "total");
    }
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String stockRejected(StockRejected e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String stockReleased(StockReleased e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    return problem != null ? problem : lines(e.getLinesList());
  }

  public static String paymentAuthorized(PaymentAuthorized e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = id("charge_id", e.getChargeId());
    }
    if (problem == null) {
      problem = customer(e.getCustomerId());
    }
    if (problem == null) {
      problem = linesAndTotal(e.getLinesList(), e.getAmount(), "amount");
    }
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String paymentDeclined(PaymentDeclined e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String paymentFailed(PaymentFailed e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String paymentRefunded(PaymentRefunded e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = id("charge_id", e.getChargeId());
    }
    if (problem == null) {
      problem = id("refund_id", e.getRefundId());
    }
    if (problem == null) {
      problem = money(e.getAmount(), "amount", true);
    }
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String orderConfirmed(OrderConfirmed e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = customer(e.getCustomerId());
    }
    if (problem == null) {
      problem = lines(e.getLinesList());
    }
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String orderCancelled(OrderCancelled e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null && (e.getReason() == CancellationReason.CANCELLATION_REASON_UNSPECIFIED
        || e.getReason() == CancellationReason.UNRECOGNIZED)) {
      problem = "names no cancellation reason";
    }
    return problem != null ? problem : placedAt(e.hasPlacedAt(), e.getPlacedAt());
  }

  public static String shipmentScheduled(ShipmentScheduled e) {
    String problem = envelope(e, e.getEventId(), e.hasOccurredAt(), e.getOccurredAt());
    if (problem == null) {
      problem = id("shipment_id", e.getShipmentId());
    }
    // Optional: versions before it was added wrote none.
    return problem != null || !e.hasPlacedAt() ? problem : placedAt(true, e.getPlacedAt());
  }

  /** What every event carries besides its order id (checked by the subscription): sound fields, an id, a time. */
  private static String envelope(Message event, String eventId, boolean timed, Timestamp occurredAt) {
    String problem = wireTypes(event);
    if (problem == null) {
      problem = id("event_id", eventId);
    }
    return problem != null ? problem : time("occurred_at", timed, occurredAt);
  }

  private static String placedAt(boolean present, Timestamp at) {
    return time("placed_at", present, at);
  }

  private static String time(String field, boolean present, Timestamp at) {
    if (!present || (at.getSeconds() == 0 && at.getNanos() == 0)) {
      return "has no " + field;
    }
    String problem = wireTypes(at);
    if (problem != null) {
      return problem;
    }
    if (!EventTime.plausible(at)) {
      return field + " " + at.getSeconds() + "s is not a time this event can have";
    }
    return null;
  }

  private static String id(String field, String value) {
    if (value.isEmpty()) {
      return "has no " + field;
    }
    if (value.length() > MAX_ID_LENGTH) {
      return field + " is " + value.length() + " characters long (at most " + MAX_ID_LENGTH + ")";
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < 0x21 || value.charAt(i) == 0x7f) {
        return field + " holds a space or control character";
      }
    }
    return null;
  }

  /** As the API takes it ({@link CustomerIds}). */
  private static String customer(String id) {
    if (id.isEmpty()) {
      return "has no customer_id";
    }
    if (id.length() > CustomerIds.MAX_LENGTH) {
      return "customer_id is " + id.length() + " characters long (at most " + CustomerIds.MAX_LENGTH + ")";
    }
    if (!CustomerIds.allowedCharacters(id)) {
      return "customer_id holds a character a customer id cannot have";
    }
    return null;
  }

  private static String lines(List<OrderLine> lines) {
    if (lines.isEmpty()) {
      return "has no lines";
    }
    if (lines.size() > MAX_LINES) {
      return "has " + lines.size() + " lines (at most " + MAX_LINES + ")";
    }
    for (int i = 0; i < lines.size(); i++) {
      OrderLine line = lines.get(i);
      String problem = wireTypes(line);
      if (problem == null) {
        problem = id("sku", line.getSku());
      }
      if (problem == null && (line.getQuantity() < 1 || line.getQuantity() > MAX_QUANTITY)) {
        problem = "asks for " + line.getQuantity() + " units (a line takes 1 to " + MAX_QUANTITY + ")";
      }
      if (problem == null) {
        problem = money(line.getUnitPrice(), "unit_price", true);
      }
      if (problem != null) {
        return "line " + (i + 1) + " " + problem;
      }
    }
    return null;
  }

  /**
   * Valid lines, and a total above zero in their currency that is exactly what they add up to (every price of the
   * catalogue is above zero).
   */
  private static String linesAndTotal(List<OrderLine> lines, Money total, String field) {
    String problem = lines(lines);
    if (problem == null) {
      problem = money(total, field, true);
    }
    if (problem != null) {
      return problem;
    }
    long sum = 0;
    try {
      for (OrderLine line : lines) {
        if (!line.getUnitPrice().getCurrency().equals(total.getCurrency())) {
          return "mixes currencies " + line.getUnitPrice().getCurrency() + " and " + total.getCurrency();
        }
        sum = Math.addExact(sum, Math.multiplyExact(line.getQuantity(), line.getUnitPrice().getAmountMinor()));
      }
    } catch (ArithmeticException overflow) {
      return "has lines whose prices add up to more than a long holds";
    }
    return sum == total.getAmountMinor() ? null
        : field + " " + total.getAmountMinor() + " is not what its lines add up to (" + sum + ")";
  }

  private static String money(Money money, String field, boolean positive) {
    String problem = wireTypes(money);
    if (problem != null) {
      return problem;
    }
    if (positive ? money.getAmountMinor() <= 0 : money.getAmountMinor() < 0) {
      return field + " " + money.getAmountMinor() + " is " + (positive ? "not above zero" : "negative");
    }
    String currency = money.getCurrency();
    if (currency.length() != 3 || !upper(currency.charAt(0)) || !upper(currency.charAt(1))
        || !upper(currency.charAt(2))) {
      return field + " has no ISO-4217 currency";
    }
    return null;
  }

  private static boolean upper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  /**
   * A field number the schema knows, found among the unknown fields: it came with another wire type (protobuf
   * keeps such a field aside rather than failing), so these are not this type's bytes.
   */
  private static String wireTypes(Message message) {
    var unknown = message.getUnknownFields().asMap();
    if (unknown.isEmpty()) {
      return null;
    }
    for (Integer number : unknown.keySet()) {
      var field = message.getDescriptorForType().findFieldByNumber(number);
      if (field != null) {
        return "field " + field.getName() + " (" + number + ") of " + message.getDescriptorForType().getName()
            + " has the wrong wire type";
      }
    }
    return null;
  }
}
