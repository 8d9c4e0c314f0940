package dev.orderflow.messaging.operate;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A look from outside at every durable consumer on a NATS server: what it filters and how far behind it is. For
 * operators' tools (the audit) and the fault suite; the service itself never calls it. Blocking.
 */
public final class ConsumerStates {

  /**
   * One consumer: its stream, name, filter subjects, messages not yet delivered and delivered but unacked, and whether
   * it is durable (the saga's, which hand poison to the dead letters) or an ordered one (a read model's feed).
   */
  public record State(String stream, String durable, List<String> filterSubjects, long pending, long ackPending,
      long redelivered, boolean isDurable) {

    /** A consumer as the monitoring endpoint describes it, whose durability it does not say. */
    public State(String stream, String durable, List<String> filterSubjects, long pending, long ackPending,
        long redelivered) {
      this(stream, durable, filterSubjects, pending, ackPending, redelivered, true);
    }

    public boolean idle() {
      return pending == 0 && ackPending == 0;
    }
  }

  /** A stream's name and message count. */
  public record Stream(String name, List<String> subjects, long messages) {}

  /** Everything read in one look. */
  public record Snapshot(List<Stream> streams, List<State> consumers) {}

  private ConsumerStates() {}

  /** Connects to {@code url} (comma-separated servers), reads every stream and consumer, and disconnects. */
  public static Snapshot read(String url) throws Exception {
    try (Connection connection = ToolConnections.open(url)) {
      JetStreamManagement management = connection.jetStreamManagement();
      List<Stream> streams = new ArrayList<>();
      List<State> consumers = new ArrayList<>();
      for (StreamInfo stream : management.getStreams()) {
        String name = stream.getConfiguration().getName();
        streams.add(new Stream(name, stream.getConfiguration().getSubjects(), stream.getStreamState().getMsgCount()));
        for (ConsumerInfo info : management.getConsumers(name)) {
          consumers.add(new State(name, info.getName(), info.getConsumerConfiguration().getFilterSubjects(),
              info.getNumPending(), info.getNumAckPending(), info.getRedelivered(),
              info.getConsumerConfiguration().getDurable() != null));
        }
      }
      return new Snapshot(streams, consumers);
    }
  }
}
