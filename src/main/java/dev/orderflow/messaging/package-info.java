/**
 * The bridge between the Vert.x world and NATS JetStream; the only package that talks to NATS.
 *
 * <p>{@link dev.orderflow.messaging.Topology} names every stream, subject, durable consumer and key-value
 * bucket in one table. {@link dev.orderflow.messaging.NatsBridge} connects and provisions that topology, and
 * hands out the three things the bounded contexts use:
 * <ul>
 *   <li>{@link dev.orderflow.messaging.EventPublisher}: asynchronous publishes in a bounded window, each with a
 *       {@code Nats-Msg-Id} derived from the order id and event type, completing only on the stream's
 *       acknowledgement;</li>
 *   <li>{@link dev.orderflow.messaging.EventSubscription}: a durable pull consumer whose messages are handled on
 *       the subscribing verticle's context, the handler's outcome mapped to ack, nak with exponential backoff,
 *       or term plus a dead-letter entry with the reason;</li>
 *   <li>{@link dev.orderflow.messaging.KeyValueStore}: non-blocking reads and compare-and-set writes on a
 *       key-value bucket.</li>
 * </ul>
 * What an event loop sends to NATS (publishes, acks, reads) goes out together at the end of the loop's iteration
 * ({@link dev.orderflow.messaging.Outbox}), so that messages share socket writes.
 * Infrastructure failures surface as the {@link dev.orderflow.messaging.MessagingException} subtypes.
 */
package dev.orderflow.messaging;
