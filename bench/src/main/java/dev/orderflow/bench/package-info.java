/**
 * The broker-ceiling probe: what Vert.x, jnats and nats-server reach on this machine with no business logic, to
 * hold Orderflow's benchmark figures against (docs/performance.md). Not part of the service.
 */
package dev.orderflow.bench;
