package dev.orderflow.messaging;

import com.google.protobuf.Message;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which handler takes which event type on one subscription, and what is done for an order when one of its events
 * is given up as poison ({@link #onGiveUp}). Immutable; build with {@link #on}.
 */
public final class Handlers {

  private final Map<EventType<?>, EventHandler<?>> byType;
  private final Map<EventType<?>, GiveUp<?>> giveUps;

  private Handlers(Map<EventType<?>, EventHandler<?>> byType, Map<EventType<?>, GiveUp<?>> giveUps) {
    this.byType = Map.copyOf(byType);
    this.giveUps = Map.copyOf(giveUps);
  }

  public static <T extends Message> Handlers of(EventType<T> type, EventHandler<T> handler) {
    return new Handlers(Map.of(), Map.of()).on(type, handler);
  }

  public <T extends Message> Handlers on(EventType<T> type, EventHandler<T> handler) {
    Map<EventType<?>, EventHandler<?>> copy = new LinkedHashMap<>(byType);
    if (copy.put(type, handler) != null) {
      throw new IllegalArgumentException("two handlers for " + type.name());
    }
    return new Handlers(copy, giveUps);
  }

  /**
   * What to do for the order of a {@code type} event that is given up as poison: a step of the saga that is
   * skipped must not leave its order half-way (say, with stock held and never charged), so this is the
   * compensation that brings it to an end. Without one, a poison event is only dead-lettered.
   */
  public <T extends Message> Handlers onGiveUp(EventType<T> type, GiveUp<T> giveUp) {
    Map<EventType<?>, GiveUp<?>> copy = new LinkedHashMap<>(giveUps);
    if (copy.put(type, giveUp) != null) {
      throw new IllegalArgumentException("two compensations for " + type.name());
    }
    return new Handlers(byType, copy);
  }

  /** The handler for {@code type}, or {@code null}. */
  @SuppressWarnings("unchecked")
  public <T extends Message> EventHandler<T> handler(EventType<T> type) {
    return (EventHandler<T>) byType.get(type);
  }

  /** The compensation for {@code type}, or {@code null}. */
  @SuppressWarnings("unchecked")
  public <T extends Message> GiveUp<T> giveUp(EventType<T> type) {
    return (GiveUp<T>) giveUps.get(type);
  }

  /** Fails unless there is exactly one handler for each event the consumer receives, and no stray compensation. */
  public void checkCovers(ConsumerSpec consumer) {
    if (!byType.keySet().equals(Set.copyOf(consumer.events()))) {
      throw new IllegalArgumentException(consumer.durable() + " receives " + consumer.events().stream()
          .map(EventType::name).toList() + " but handlers are given for "
          + byType.keySet().stream().map(EventType::name).toList());
    }
    if (!byType.keySet().containsAll(giveUps.keySet())) {
      throw new IllegalArgumentException(consumer.durable() + " has a compensation for an event it does not receive");
    }
  }

  /**
   * The compensation for an event given up as poison. It is given the event as decoded (whose order id matches
   * its subject, but whose other fields may be what made it poison) and the reason; it must be idempotent, like a
   * handler, and should act only for an order that exists (a forged event may name one that does not). A failure
   * redelivers the event after a backoff, to try again.
   */
  @FunctionalInterface
  public interface GiveUp<T> {
    Future<?> giveUp(T event, String reason);
  }
}
