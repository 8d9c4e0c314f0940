package dev.orderflow.orders;

/** Where an order is in the saga. SHIPPED and CANCELLED are terminal: an order in them never changes status. */
public enum OrderStatus {
  PENDING, RESERVED, PAID, CONFIRMED, SHIPPED, CANCELLED;
}
