/**
 * The payments context: charges each order whose stock is reserved, through the external payment gateway over
 * HTTP, behind a circuit breaker.
 *
 * <p>Listens to {@code StockReserved}; emits {@code PaymentAuthorized}, {@code PaymentDeclined} or
 * {@code PaymentFailed}. Never charges an order twice: the payment ledger (keyed by order id) records each
 * outcome once, and every charge request carries the order id as the gateway's {@code Idempotency-Key}, so even a
 * request repeated after a lost answer returns the first charge.
 */
package dev.orderflow.payments;
