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

  List<String> filterSubjects() {
    return events.stream().map(EventType::filterSubject).toList();
  }
}
