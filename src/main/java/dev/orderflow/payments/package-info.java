/**
 * The payments context: charges each order whose stock is reserved, through the external payment gateway over
 * HTTP, behind a circuit breaker.
 *
 * <p>Listens to {@code StockReserved}; emits {@code PaymentAuthorized}, {@code PaymentDeclined} or
 * {@code PaymentFailed}. Never charges an order twice: the outcome event is stored once per order in the
 * payments stream, and every charge request carries the order id as the gateway's {@code Idempotency-Key}, so even
 * a request repeated after a lost answer returns the first charge.
 *
 * <p>The protocol is a plain class, {@code Charging}, over the gateway, the stored outcomes and a write-once
 * publish; {@code PaymentsVerticle} only connects it to messaging.
 */
package dev.orderflow.payments;
