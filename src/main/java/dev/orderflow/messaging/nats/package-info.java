/**
 * The JetStream adapter behind {@link dev.orderflow.messaging.Messaging}: one jnats connection per process
 * ({@link dev.orderflow.messaging.nats.NatsBridge}), provisioned from the topology
 * ({@link dev.orderflow.messaging.nats.Provisioner}), watched and restored after a reconnect
 * ({@link dev.orderflow.messaging.nats.TopologyWatch}), its story logged in a few lines
 * ({@link dev.orderflow.messaging.nats.ConnectionEvents}).
 *
 * <p>Publishes, consumers ({@link dev.orderflow.messaging.nats.EventSubscription}), reads and key-value writes are
 * asynchronous; what an event loop sends to NATS goes out together at the end of the loop's iteration
 * ({@link dev.orderflow.messaging.nats.Outbox}), so that messages share socket writes. Only the composition root,
 * the operator's tools and this package may use it (ArchitectureTest).
 */
package dev.orderflow.messaging.nats;
