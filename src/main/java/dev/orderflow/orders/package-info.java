/**
 * The orders context: the HTTP API that accepts orders, each order's state machine, and the order view that
 * {@code GET /orders/{id}} reads.
 *
 * <p>Emits {@code OrderPlaced} (before answering 202), {@code OrderConfirmed} and {@code OrderCancelled}.
 * Listens to its own {@code OrderPlaced} (to create the view), to {@code StockReserved}/{@code StockRejected},
 * {@code PaymentAuthorized}/{@code PaymentDeclined}/{@code PaymentFailed} and {@code ShipmentScheduled}.
 */
package dev.orderflow.orders;
