package dev.orderflow.messaging;

import java.util.List;

/**
 * A durable pull consumer, shared by every instance of the role that handles its events.
 *
 * @param durable the consumer's durable name
 * @param events the event types it receives (all from one stream)
 */
public record ConsumerSpec(String durable, StreamSpec stream, List<EventType<?>> events) {

  public ConsumerSpec {
    events = List.copyOf(events);
    for (EventType<?> event : events) {
      if (!event.stream().equals(stream)) {
        throw new IllegalArgumentException(durable + ": " + event.name() + " is not on stream " + stream.name());
      }
    }
  }

  /**
   * The subjects the consumer filters on: one per event type, or the whole stream when it receives every event
   * type the stream holds. The server then delivers the stream in order without matching each message against
   * several filters, which with one subject per order is a measurable share of its CPU; a message on a subject
   * no event type has is dead-lettered as poison, where it would otherwise lie unread.
   */
  public List<String> filterSubjects() {
    boolean everyEvent = Topology.EVENTS.stream().filter(type -> type.stream().equals(stream))
        .allMatch(events::contains);
    return everyEvent ? List.of(stream.subjects()) : events.stream().map(EventType::filterSubject).toList();
  }
}
