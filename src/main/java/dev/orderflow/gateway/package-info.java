/**
 * The payment gateway simulator: a stand-in for an external payment provider, on its own HTTP port, so that
 * payments calls it over a real network hop and faults can be injected.
 *
 * <p>API: {@code POST /v1/charges} (with {@code Idempotency-Key}), {@code GET /v1/charges?orderId=…}, every charge
 * a page at a time with {@code GET /v1/charges?from=N&limit=M},
 * {@code GET|PUT /v1/faults}. A customer id starting with {@code decline-} is always declined. Charges live in
 * memory: the simulator is a test double, not a ledger. Who may call it is decided ahead of every route
 * ({@code SimulatorAccess}): its token, when one is configured, for everything.
 */
package dev.orderflow.gateway;
