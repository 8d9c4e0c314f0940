package dev.orderflow.messaging.operate;

import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.ConsumerSpec;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.nats.NatsBridge;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far along the whole cluster is, as JetStream itself counts it: each durable consumer's backlog and
 * acknowledgements, and each stream's message count. One read is one request per consumer and per stream of the
 * {@link Topology}, whoever asks, so a caller that shares one read between many watchers (the operator's console)
 * costs the broker the same however many watch. Blocking: call it on a worker thread.
 */
public final class TopologyFigures {

  /**
   * One durable consumer: the event types it takes, messages not yet delivered ({@code pending}), delivered but
   * not yet acknowledged ({@code ackPending}), its acknowledgement floor in delivery sequence
   * ({@code acknowledged}: deliveries acknowledged so far, a redelivery counting once more) and messages being
   * redelivered now.
   */
  public record Consumer(String durable, String stream, List<EventType<?>> events, long pending, long ackPending,
      long acknowledged, long redelivered) {

    /** The messages this consumer has still to settle: for a consumer that takes orders out of a step, its orders. */
    public long backlog() {
      return pending + ackPending;
    }
  }

  /** One read: every consumer of the topology, and the message count and last sequence of each stream by name. */
  public record Figures(List<Consumer> consumers, Map<String, Long> streamMessages, Map<String, Long> lastSequences) {

    /** The consumers that take events of {@code type}. */
    public List<Consumer> takers(EventType<?> type) {
      return consumers.stream().filter(c -> c.events().contains(type)).toList();
    }

    /**
     * How many events of {@code type} are stored, when its stream holds no other type (so its message count says),
     * or -1 when that cannot be read off a count.
     */
    public long stored(EventType<?> type) {
      boolean alone = Topology.EVENTS.stream().filter(t -> t.stream().equals(type.stream())).count() == 1;
      Long messages = streamMessages.get(type.stream().name());
      return alone && messages != null ? messages : -1;
    }

    /** Messages in the dead-letter stream: dead letters waiting for an operator. */
    public long deadLetters() {
      return streamMessages.getOrDefault(Topology.DEAD_LETTERS.name(), 0L);
    }

    /** The dead-letter stream's last sequence: it moves with every new dead letter, even when the count does not. */
    public long deadLetterSequence() {
      return lastSequences.getOrDefault(Topology.DEAD_LETTERS.name(), 0L);
    }
  }

  private final Connection connection;

  /** The durable consumers that take events of {@code type}, by name (no broker call). */
  public static List<String> consumersOf(EventType<?> type) {
    return Topology.CONSUMERS.stream().filter(c -> c.events().contains(type)).map(ConsumerSpec::durable).toList();
  }

  private TopologyFigures(Connection connection) {
    this.connection = connection;
  }

  /** The figures of the topology, read over the bridge's connection (blocking: call it on a worker thread). */
  public static TopologyFigures on(NatsBridge bridge) {
    return new TopologyFigures(bridge.connection());
  }

  /** Reads every consumer's and stream's state now; {@link BrokerUnavailable} if NATS does not answer. */
  public Figures read() {
    try {
      JetStreamManagement management = connection.jetStreamManagement();
      List<Consumer> consumers = new ArrayList<>();
      for (ConsumerSpec spec : Topology.CONSUMERS) {
        ConsumerInfo info = management.getConsumerInfo(spec.stream().name(), spec.durable());
        consumers.add(new Consumer(spec.durable(), spec.stream().name(), spec.events(), info.getNumPending(),
            info.getNumAckPending(), info.getAckFloor() == null ? 0 : info.getAckFloor().getConsumerSequence(),
            info.getRedelivered()));
      }
      Map<String, Long> messages = new LinkedHashMap<>();
      Map<String, Long> last = new LinkedHashMap<>();
      for (StreamSpec stream : Topology.STREAMS) {
        var state = management.getStreamInfo(stream.name()).getStreamState();
        messages.put(stream.name(), state.getMsgCount());
        last.put(stream.name(), state.getLastSequence());
      }
      return new Figures(List.copyOf(consumers), Map.copyOf(messages), Map.copyOf(last));
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerUnavailable("reading the consumers' and streams' state failed: " + e.getMessage(), e);
    }
  }
}
