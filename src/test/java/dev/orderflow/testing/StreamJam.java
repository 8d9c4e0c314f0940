package dev.orderflow.testing;

import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;

/**
 * Makes a stream refuse every write for a while (its largest message one byte), as a broker that keeps failing one
 * step would: the step's handler is retried until its deliveries run out, then its message is dead-lettered (not
 * compensated: the failure is no poison), and waits there for an operator to send it back. {@link #close} mends it.
 */
public final class StreamJam implements AutoCloseable {

  private final JetStreamManagement management;
  private final StreamConfiguration before;

  private StreamJam(JetStreamManagement management, StreamConfiguration before) {
    this.management = management;
    this.before = before;
  }

  /** Jams {@code stream} on the server {@code management} talks to. */
  public static StreamJam of(JetStreamManagement management, String stream) throws Exception {
    StreamConfiguration config = management.getStreamInfo(stream).getConfiguration();
    management.updateStream(StreamConfiguration.builder(config).maximumMessageSize(1).build());
    return new StreamJam(management, config);
  }

  @Override
  public void close() throws Exception {
    management.updateStream(before);
  }
}
