package dev.orderflow.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/**
 * One kind of event: its protobuf message, the subject it is published on and the stream that keeps it.
 *
 * @param name the protobuf message name (e.g. {@code OrderPlaced}), also used in message ids
 */
public record EventType<T extends Message>(String name, String subject, StreamSpec stream, T defaultInstance) {

  static <T extends Message> EventType<T> of(StreamSpec stream, String subject, T defaultInstance) {
    return new EventType<>(defaultInstance.getDescriptorForType().getName(), subject, stream, defaultInstance);
  }

  @SuppressWarnings("unchecked")
  T parse(byte[] data) throws InvalidProtocolBufferException {
    return (T) defaultInstance.getParserForType().parseFrom(data);
  }

  /**
   * The {@code Nats-Msg-Id} of this event for {@code orderId}: each event type happens at most once per order,
   * so a repeated publish (a retry, a redelivered handler) is dropped by the stream's duplicate window.
   */
  String messageId(String orderId) {
    return orderId + ":" + name;
  }
}
