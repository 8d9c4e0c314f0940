package dev.orderflow.loadtest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * An endless feeder of shop orders, like real clients': mostly happy orders of 1–3 lines of SKUs that never run
 * out, some with the sold-out SKU (cancelled OUT_OF_STOCK), some by {@code decline-} customers (cancelled
 * PAYMENT_DECLINED), a share of clients that send the same order twice with the same {@code Idempotency-Key}, and
 * a share that cancel their order a random moment after placing it (racing the saga: it ends CANCELLED on request if
 * the cancellation was answered 202, as it would have otherwise if 409).
 *
 * <p>Only unlimited SKUs and the sold-out one are ordered, so a run never exhausts stock and the expected outcome
 * of every order is known in advance; the audit holds Orderflow to it.
 */
final class Traffic implements Iterator<Map<String, Object>> {

  /** SKUs of the default catalogue (conf/catalogue.json) whose stock does not run out under load. */
  static final List<String> UNLIMITED = List.of("TSHIRT-RED-M", "MUG-LOGO", "HOODIE-GREY-L");
  static final String SOLD_OUT = "VINYL-SOLD-OUT";

  private final Settings settings;

  Traffic(Settings settings) {
    this.settings = settings;
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public Map<String, Object> next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double dice = random.nextDouble();
    boolean soldOut = dice < settings.soldOutShare();
    boolean declined = !soldOut && dice < settings.soldOutShare() + settings.declineShare();
    String customerId = (declined ? "decline-" : "shopper-") + UUID.randomUUID();
    Map<String, Integer> lines = new LinkedHashMap<>();
    int count = 1 + random.nextInt(3);
    if (soldOut) {
      lines.put(SOLD_OUT, 1);
      count--;
    }
    while (lines.size() < count + (soldOut ? 1 : 0)) {
      lines.putIfAbsent(UNLIMITED.get(random.nextInt(UNLIMITED.size())), 1 + random.nextInt(3));
    }
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("key", UUID.randomUUID().toString());
    order.put("customerId", customerId);
    order.put("lines", lines);
    order.put("body", body(customerId, lines));
    order.put("expectedStatus", soldOut || declined ? "CANCELLED" : "SHIPPED");
    order.put("expectedReason", soldOut ? "OUT_OF_STOCK" : declined ? "PAYMENT_DECLINED" : "");
    order.put("cancelled", soldOut || declined);
    order.put("retry", random.nextDouble() < settings.retryShare());
    order.put("cancel", random.nextDouble() < settings.cancelShare());
    // Within the few hundred milliseconds a saga takes here: a cancellation may meet any step.
    order.put("cancelAfterMs", random.nextInt(300));
    return order;
  }

  private static String body(String customerId, Map<String, Integer> lines) {
    return "{\"customerId\":\"" + customerId + "\",\"items\":[" + lines.entrySet().stream()
        .map(line -> "{\"sku\":\"" + line.getKey() + "\",\"quantity\":" + line.getValue() + "}")
        .collect(Collectors.joining(",")) + "]}";
  }
}
