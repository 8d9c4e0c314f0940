package dev.orderflow.orders;

/** What the orders context learns about an order from the other contexts' events. */
enum OrderFact {
  STOCK_RESERVED, STOCK_REJECTED, PAYMENT_AUTHORIZED, PAYMENT_DECLINED, PAYMENT_FAILED, SHIPMENT_SCHEDULED
}
