package dev.orderflow.messaging;

import com.google.protobuf.Message;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Which handler takes which event type on one subscription. Immutable; build with {@link #on}. */
public final class Handlers {

  private final Map<EventType<?>, EventHandler<?>> byType;

  private Handlers(Map<EventType<?>, EventHandler<?>> byType) {
    this.byType = Map.copyOf(byType);
  }

  public static <T extends Message> Handlers of(EventType<T> type, EventHandler<T> handler) {
    return new Handlers(Map.of()).on(type, handler);
  }

  public <T extends Message> Handlers on(EventType<T> type, EventHandler<T> handler) {
    Map<EventType<?>, EventHandler<?>> copy = new LinkedHashMap<>(byType);
    if (copy.put(type, handler) != null) {
      throw new IllegalArgumentException("two handlers for " + type.name());
    }
    return new Handlers(copy);
  }

  @SuppressWarnings("unchecked")
  <T extends Message> EventHandler<T> handler(EventType<T> type) {
    return (EventHandler<T>) byType.get(type);
  }

  /** Fails unless there is exactly one handler for each event the consumer receives. */
  void checkCovers(ConsumerSpec consumer) {
    if (!byType.keySet().equals(Set.copyOf(consumer.events()))) {
      throw new IllegalArgumentException(consumer.durable() + " receives " + consumer.events().stream()
          .map(EventType::name).toList() + " but handlers are given for "
          + byType.keySet().stream().map(EventType::name).toList());
    }
  }
}
