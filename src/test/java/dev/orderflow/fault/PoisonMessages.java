package dev.orderflow.fault;

import com.google.protobuf.Timestamp;
import dev.orderflow.events.v1.Money;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.PaymentFailed;
import dev.orderflow.events.v1.StockReserved;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * More than twenty kinds of poison payload for any consumed subject: random bytes, empty, another event's bytes,
 * missing or absurd ids, impossible quantities and totals, huge payloads. A consumer must dead-letter each (with a
 * reason) and carry on.
 */
final class PoisonMessages {

  private PoisonMessages() {}

  static Map<String, byte[]> all() {
    Map<String, byte[]> poison = new LinkedHashMap<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] noise = new byte[64];
    random.nextBytes(noise);
    poison.put("random bytes", noise);
    poison.put("one byte", new byte[] {(byte) 0xFF});
    poison.put("empty", new byte[0]);
    poison.put("JSON", "{\"orderId\":\"x\",\"quantity\":1}".getBytes(StandardCharsets.UTF_8));
    poison.put("truncated protobuf", truncate(placed(id(), 1, 1999).toByteArray()));
    poison.put("missing ids", placed("", 1, 1999).toBuilder().setEventId("").build().toByteArray());
    poison.put("empty order id", placed("", 1, 1999).toByteArray());
    poison.put("order id with empty token", placed("a..b", 1, 1999).toByteArray());
    poison.put("order id with wildcards", placed("a.*.>", 1, 1999).toByteArray());
    poison.put("huge order id", placed("x".repeat(10_000), 1, 1999).toByteArray());
    poison.put("order id with spaces and controls", placed("a b\u0001\n", 1, 1999).toByteArray());
    poison.put("negative quantity", placed(id(), -5, 1999).toByteArray());
    poison.put("zero quantity", placed(id(), 0, 1999).toByteArray());
    poison.put("absurd quantity", placed(id(), Integer.MAX_VALUE, 1999).toByteArray());
    poison.put("negative total", placed(id(), 1, -1999).toByteArray());
    poison.put("zero total", placed(id(), 1, 0).toByteArray());
    poison.put("no lines", placed(id(), 1, 1999).toBuilder().clearLines().build().toByteArray());
    poison.put("unknown sku", placed(id(), 1, 1999).toBuilder().setLines(0,
        line("NO-SUCH-SKU", 1, 1999)).build().toByteArray());
    poison.put("empty sku", placed(id(), 1, 1999).toBuilder().setLines(0, line("", 1, 1999)).build().toByteArray());
    poison.put("currency not ISO", placed(id(), 1, 1999).toBuilder().setTotal(Money.newBuilder()
        .setAmountMinor(1999).setCurrency("euro")).build().toByteArray());
    poison.put("StockReserved bytes", StockReserved.newBuilder().setEventId(id()).setOrderId(id())
        .setCustomerId("mallory").addLines(line("MUG-LOGO", -3, 1250)).setTotal(money(-3750)).build().toByteArray());
    poison.put("PaymentFailed bytes", PaymentFailed.newBuilder().setEventId(id()).setOrderId(id())
        .setReason("made up").build().toByteArray());
    poison.put("huge payload", placed(id(), 1, 1999).toBuilder().setCustomerId("h".repeat(700_000)).build()
        .toByteArray());
    poison.put("a thousand lines", thousandLines());
    return poison;
  }

  private static byte[] thousandLines() {
    OrderPlaced.Builder order = placed(id(), 1, 1999).toBuilder().clearLines();
    for (int i = 0; i < 1_000; i++) {
      order.addLines(line("MUG-LOGO", 1, 1250));
    }
    return order.build().toByteArray();
  }

  private static OrderPlaced placed(String orderId, int quantity, long unitPrice) {
    return OrderPlaced.newBuilder()
        .setEventId(id())
        .setOrderId(orderId)
        .setOccurredAt(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000))
        .setCustomerId("mallory")
        .addLines(line("MUG-LOGO", quantity, unitPrice))
        .setTotal(money((long) quantity * unitPrice))
        .build();
  }

  private static OrderLine line(String sku, int quantity, long unitPrice) {
    return OrderLine.newBuilder().setSku(sku).setQuantity(quantity).setUnitPrice(money(unitPrice)).build();
  }

  private static Money money(long minor) {
    return Money.newBuilder().setAmountMinor(minor).setCurrency("EUR").build();
  }

  private static byte[] truncate(byte[] bytes) {
    return java.util.Arrays.copyOf(bytes, bytes.length / 2);
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
