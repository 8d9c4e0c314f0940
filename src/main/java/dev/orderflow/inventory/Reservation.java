package dev.orderflow.inventory;

import dev.orderflow.events.v1.OrderLine;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What inventory did for one order: claimed it, reserved its lines, rejected it, or released what it had
 * reserved. The record is the idempotency point of reservation and release: a redelivered event finds the outcome
 * and repeats only the announcement.
 *
 * @param lines the quantities per SKU (reserved, or for a rejection, asked for)
 * @param missing the SKUs that lacked stock (rejections only)
 * @param changedAt when the status was last changed
 */
record Reservation(String orderId, Status status, List<Line> lines, List<String> missing, Instant changedAt) {

  /**
   * PENDING: claimed by the delivery that works on it, stock not settled yet. RESERVED holds stock; REJECTED holds
   * none (it gave back any line it took); RELEASING is giving its stock back; RELEASED gave it back.
   */
  enum Status { PENDING, RESERVED, REJECTED, RELEASING, RELEASED }

  /** A quantity of one SKU. */
  record Line(String sku, long quantity) {}

  Reservation {
    lines = List.copyOf(lines);
    missing = List.copyOf(missing);
  }

  /**
   * The lines of an order as inventory works on them: one per SKU (quantities of repeated SKUs added up), in SKU
   * order so that every instance touches SKUs in the same order.
   */
  static List<Line> plan(List<OrderLine> orderLines) {
    Map<String, Long> bySku = new TreeMap<>();
    for (OrderLine line : orderLines) {
      bySku.merge(line.getSku(), (long) line.getQuantity(), Long::sum);
    }
    List<Line> plan = new ArrayList<>(bySku.size());
    bySku.forEach((sku, quantity) -> plan.add(new Line(sku, quantity)));
    return plan;
  }

  /** The claim on an order: whoever creates it works on the order's stock; everyone else waits for the outcome. */
  static Reservation pending(String orderId, List<Line> lines, Instant at) {
    return new Reservation(orderId, Status.PENDING, lines, List.of(), at);
  }

  /** Whether this is an outcome (anything but PENDING). */
  boolean decided() {
    return status != Status.PENDING;
  }

  static Reservation reserved(String orderId, List<Line> lines, Instant at) {
    return new Reservation(orderId, Status.RESERVED, lines, List.of(), at);
  }

  static Reservation rejected(String orderId, List<Line> lines, List<String> missing, Instant at) {
    return new Reservation(orderId, Status.REJECTED, lines, missing, at);
  }

  /** The reservation while its units go back to stock; only held stock can be released. */
  Reservation releasing(Instant at) {
    if (status != Status.RESERVED) {
      throw new IllegalStateException("order " + orderId + " is " + status + ", nothing to release");
    }
    return new Reservation(orderId, Status.RELEASING, lines, missing, at);
  }

  /** The reservation once its units are back in stock. */
  Reservation released(Instant at) {
    if (status != Status.RELEASING) {
      throw new IllegalStateException("order " + orderId + " is " + status + ", not releasing");
    }
    return new Reservation(orderId, Status.RELEASED, lines, missing, at);
  }

  byte[] encode() {
    JsonArray encodedLines = new JsonArray();
    lines.forEach(line -> encodedLines.add(new JsonObject().put("sku", line.sku()).put("quantity", line.quantity())));
    return new JsonObject()
        .put("orderId", orderId)
        .put("status", status.name())
        .put("lines", encodedLines)
        .put("missing", new JsonArray(missing))
        .put("changedAt", changedAt.toString())
        .toBuffer().getBytes();
  }

  static Reservation decode(byte[] data) {
    JsonObject json = Buffer.buffer(data).toJsonObject();
    List<Line> lines = new ArrayList<>();
    for (Object line : json.getJsonArray("lines")) {
      JsonObject l = (JsonObject) line;
      lines.add(new Line(l.getString("sku"), l.getLong("quantity")));
    }
    List<String> missing = json.getJsonArray("missing").stream().map(Object::toString).toList();
    return new Reservation(json.getString("orderId"), Status.valueOf(json.getString("status")), lines, missing,
        Instant.parse(json.getString("changedAt")));
  }
}
