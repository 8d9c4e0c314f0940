package dev.orderflow.orders;

/** Where an order is in the saga. SHIPPED and CANCELLED are terminal: an order in them never changes status. */
public enum OrderStatus {
  PENDING, RESERVED, PAID, CONFIRMED, SHIPPED, CANCELLED;

  /** Whether this status lies before {@code other} on the happy path (CANCELLED lies on no path). */
  boolean before(OrderStatus other) {
    return this != CANCELLED && other != CANCELLED && ordinal() < other.ordinal();
  }
}
