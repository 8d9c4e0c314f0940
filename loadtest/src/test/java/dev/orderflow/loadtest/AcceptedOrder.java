package dev.orderflow.loadtest;

import java.util.Map;

/**
 * An order that Orderflow accepted (202) during a run, with what the client expects of it: the lines it asked for
 * (SKU → quantity) and the terminal status and cancellation reason it should end in ({@code reason} is empty for
 * SHIPPED).
 */
public record AcceptedOrder(String orderId, String customerId, Map<String, Integer> lines, String expectedStatus,
    String expectedReason) {

  public AcceptedOrder {
    lines = Map.copyOf(lines);
  }
}
