/**
 * The fault suite: real processes on loopback (nats-server nodes, a gateway-simulator process that is never
 * killed, worker processes of {@code target/orderflow.jar}), steady load from {@link dev.orderflow.fault.LoadDriver},
 * a fault injected, and every scenario ending in the {@link dev.orderflow.audit.Audit}. Short by default (CI);
 * {@code -Dfault.long=true} runs more kills and longer loads.
 */
package dev.orderflow.fault;
