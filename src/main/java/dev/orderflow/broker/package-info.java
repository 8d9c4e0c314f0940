/**
 * The embedded nats-server: started, supervised and stopped by this process when no NATS URL is configured
 * ({@link dev.orderflow.broker.EmbeddedNatsServer}). A process supervisor; it does not speak NATS itself.
 */
package dev.orderflow.broker;
