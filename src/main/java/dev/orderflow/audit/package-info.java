/**
 * The audit that ends every fault scenario, benchmark and load run: from the outside (the HTTP API, the gateway
 * simulator's charge log and the consumers' state on NATS) it checks that every accepted order reached a terminal
 * status, was charged at most once and only if shipped, that stock adds up, and that nothing is left
 * undelivered. {@code bin/audit} runs it; the fault suite calls {@link dev.orderflow.audit.Audit#run} directly.
 */
package dev.orderflow.audit;
