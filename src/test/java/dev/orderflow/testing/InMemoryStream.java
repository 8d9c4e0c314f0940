package dev.orderflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher.First;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventType;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A context's stream in memory for protocol unit tests: each order's events in the order stored, with the
 * write-once checks of {@link dev.orderflow.messaging.EventPublisher#publishFirst} (of its type, or the first in
 * the stream). A test subclasses it with the context's own read interface.
 */
public class InMemoryStream implements Announcer {

  private record Stored(EventType<?> type, Message event, long sequence) {}

  private final Map<String, List<Stored>> byOrder = new HashMap<>();
  private long lastSequence;
  /** What each publish asked to be the first of, in order. */
  public final List<First> firsts = new ArrayList<>();
  /** Runs once, just before the next publish decides: lets a test store a competing event first. */
  public Runnable beforeNextPublish = () -> {};

  /** Stores {@code event} as if published earlier (or by another instance), with no check. */
  public long store(EventType<?> type, String orderId, Message event) {
    byOrder.computeIfAbsent(orderId, id -> new ArrayList<>()).add(new Stored(type, event, ++lastSequence));
    return lastSequence;
  }

  /** The order's last event with its type and stream sequence, or {@code null}. */
  public Future<EventLog.Recorded<?>> last(String orderId) {
    List<Stored> stored = stored(orderId);
    return Future.succeededFuture(stored.isEmpty() ? null : recorded(stored.get(stored.size() - 1)));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static EventLog.Recorded<?> recorded(Stored stored) {
    return new EventLog.Recorded(stored.type(), stored.event(), stored.sequence());
  }

  /** Every event of the order, in the order stored. */
  public List<Message> events(String orderId) {
    return stored(orderId).stream().map(Stored::event).toList();
  }

  /** The order's one event of {@code type}, failing the test unless there is exactly one. */
  @SuppressWarnings("unchecked")
  public <T extends Message> T only(String orderId, EventType<T> type) {
    List<Stored> ofType = stored(orderId).stream().filter(stored -> stored.type().equals(type)).toList();
    assertThat(ofType).hasSize(1);
    return (T) ofType.get(0).event();
  }

  /** The order's last event of {@code type}, or {@code null}. */
  @SuppressWarnings("unchecked")
  public <T extends Message> Future<T> find(EventType<T> type, String orderId) {
    return Future.succeededFuture(stored(orderId).stream().filter(stored -> stored.type().equals(type))
        .map(stored -> (T) stored.event()).reduce((first, second) -> second).orElse(null));
  }

  /** The type of the order's last event, or {@code null}. */
  public EventType<?> lastType(String orderId) {
    List<Stored> stored = stored(orderId);
    return stored.isEmpty() ? null : stored.get(stored.size() - 1).type();
  }

  @Override
  public <T extends Message> Future<Written> publishFirst(EventType<T> type, String orderId, T event, First first) {
    Runnable hook = beforeNextPublish;
    beforeNextPublish = () -> {};
    hook.run();
    firsts.add(first);
    // Every event a protocol writes must pass its consumers' checks, or the saga's next step would dead-letter it.
    assertThat(type.problemOf().apply(event)).as("the shape of the %s written", type.name()).isNull();
    List<Stored> stored = stored(orderId);
    boolean taken = first == First.IN_ITS_STREAM
        ? !stored.isEmpty()
        : stored.stream().anyMatch(s -> s.type().equals(type));
    if (taken) {
      return Future.succeededFuture(Written.PREEMPTED);
    }
    store(type, orderId, event);
    return Future.succeededFuture(Written.STORED);
  }

  @Override
  public <T extends Message> Future<Written> publishAfter(EventType<T> type, String orderId, T event, long after) {
    Runnable hook = beforeNextPublish;
    beforeNextPublish = () -> {};
    hook.run();
    assertThat(type.problemOf().apply(event)).as("the shape of the %s written", type.name()).isNull();
    List<Stored> stored = stored(orderId);
    long last = stored.isEmpty() ? 0 : stored.get(stored.size() - 1).sequence();
    if (last != after) {
      return Future.succeededFuture(Written.PREEMPTED);
    }
    store(type, orderId, event);
    return Future.succeededFuture(Written.STORED);
  }

  private List<Stored> stored(String orderId) {
    return byOrder.getOrDefault(orderId, List.of());
  }
}
