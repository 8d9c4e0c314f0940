package dev.orderflow.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.events.EventRules;
import java.util.function.Function;

/**
 * One kind of event: its protobuf message, the stream that keeps it and the subject it is published on, which
 * ends with the order's id ({@code <prefix>.<orderId>}, e.g. {@code orders.placed.<orderId>}).
 *
 * <p>The envelope every event carries (its order id and event id) is read through the generated accessors given
 * here, not by reflection on each delivery.
 *
 * @param name the protobuf message name (e.g. {@code OrderPlaced}), also used in message ids
 * @param prefix the subject without the order id
 * @param problemOf the event's first problem of shape ({@link EventRules}), or {@code null} for a sound event
 */
public record EventType<T extends Message>(
    String name, String prefix, StreamSpec stream, T defaultInstance, Function<T, String> orderIdOf,
    Function<T, String> eventIdOf, Function<T, String> problemOf) {

  static <T extends Message> EventType<T> of(StreamSpec stream, String event, T defaultInstance,
      Function<T, String> orderIdOf, Function<T, String> eventIdOf, Function<T, String> problemOf) {
    return new EventType<>(defaultInstance.getDescriptorForType().getName(), stream.token() + "." + event, stream,
        defaultInstance, orderIdOf, eventIdOf, problemOf);
  }

  /** Whether {@code event} has the shape its producer always gives it ({@link #problemOf} finds nothing). */
  public boolean sound(T event) {
    return problemOf.apply(event) == null;
  }

  /** The subject this event is published on for {@code orderId}. */
  public String subject(String orderId) {
    return prefix + "." + orderId;
  }

  /** The filter that matches this event for every order. */
  public String filterSubject() {
    return prefix + ".*";
  }

  @SuppressWarnings("unchecked")
  public T parse(byte[] data) throws InvalidProtocolBufferException {
    return (T) defaultInstance.getParserForType().parseFrom(data);
  }

  /**
   * The {@code Nats-Msg-Id} of this event for {@code orderId}: each event type happens at most once per order,
   * so a repeated publish (a retry, a redelivered handler) is dropped by the stream's duplicate window.
   */
  public String messageId(String orderId) {
    return orderId + ":" + name;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EventType<?> type && type.prefix.equals(prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
