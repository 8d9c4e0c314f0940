package dev.orderflow.events;

/**
 * What can be an order id: the last token of every event's subject, so one NATS subject token of at most
 * {@value #MAX_LENGTH} letters, digits, {@code -} and {@code _} (the service makes UUIDs). Checked without a regex,
 * since it runs on every delivery and every read.
 */
public final class OrderIds {

  public static final int MAX_LENGTH = 64;

  private OrderIds() {}

  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
