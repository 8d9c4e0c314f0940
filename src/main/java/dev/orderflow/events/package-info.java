/**
 * The rules every event and id follows, shared by the contexts, the HTTP edge and the consumers' checks: the shape
 * of each event ({@link dev.orderflow.events.EventRules}), what an order id and a customer id may be
 * ({@link dev.orderflow.events.OrderIds}, {@link dev.orderflow.events.CustomerIds}), new event ids
 * ({@link dev.orderflow.events.EventIds}) and event times ({@link dev.orderflow.events.EventTime}). Plain Java
 * over the generated protobuf types of {@code dev.orderflow.events.v1}; nothing here knows NATS.
 */
package dev.orderflow.events;
