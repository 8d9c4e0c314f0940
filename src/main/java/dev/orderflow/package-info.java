/**
 * Orderflow: event-driven order processing on Vert.x and NATS JetStream.
 *
 * <p>{@link dev.orderflow.Main} is the command line; {@link dev.orderflow.Orderflow} starts and stops one process
 * running any subset of the roles. The bounded contexts ({@code orders}, {@code inventory}, {@code payments},
 * {@code shipping}, {@code gateway}) never import each other: they meet only through the protobuf events of
 * {@code dev.orderflow.events.v1}, carried by {@code messaging}.
 */
package dev.orderflow;
