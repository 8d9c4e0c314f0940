/**
 * The contexts' API to the broker: what a handler's author needs, and nothing of the adapter behind it.
 *
 * <p>{@link dev.orderflow.messaging.Topology} names every stream, event type, durable consumer and key-value bucket
 * in one table. A context is handed a {@link dev.orderflow.messaging.Messaging}, which gives it:
 * <ul>
 *   <li>{@link dev.orderflow.messaging.EventPublisher}: asynchronous publishes, each completing on the stream's
 *       acknowledgement, write-once where a step's outcome is its record ({@link dev.orderflow.messaging.Announcer});
 *   </li>
 *   <li>{@link dev.orderflow.messaging.Messaging#subscribe}: {@link dev.orderflow.messaging.Handlers} for a durable
 *       consumer, run on the subscribing verticle's context, each outcome mapped to ack, nak with backoff, or term
 *       plus a dead letter ({@link dev.orderflow.messaging.Delivery} says which attempt it is);</li>
 *   <li>{@link dev.orderflow.messaging.EventLog}, {@link dev.orderflow.messaging.KeyValueStore} and
 *       {@link dev.orderflow.messaging.EventFeed}: events read back, compare-and-set state, streams followed.</li>
 * </ul>
 * Infrastructure failures surface as the {@link dev.orderflow.messaging.MessagingException} subtypes. The JetStream
 * adapter is {@code dev.orderflow.messaging.nats}; the operator's tools are {@code dev.orderflow.messaging.operate}.
 */
package dev.orderflow.messaging;
