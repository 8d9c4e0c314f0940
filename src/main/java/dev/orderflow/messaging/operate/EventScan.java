package dev.orderflow.messaging.operate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.messaging.EventType;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads every stored event of one type from its stream, oldest first, in one pass: an ordered consumer (no acks,
 * the server pushes pulled batches) filtered to the event's subjects. For operators' tools (the audit), which must
 * see every order at once; a read per order would cost a request each. Blocking; the service itself never calls it.
 *
 * <p>A pass ends at the message that was last when the pass began (the consumer's pending count reaches 0), and
 * answers the stream sequence it got to, so that the next pass can go on from there.
 */
public final class EventScan implements AutoCloseable {

  private static final int BATCH = 5_000;
  /** How long one message may take to arrive while the server says more are pending. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  private static final int NO_MESSAGE = 10037;

  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;

  private EventScan(Connection connection) throws IOException {
    this.connection = connection;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
  }

  /** Connects to {@code url} (comma-separated servers). */
  public static EventScan open(String url) throws IOException, InterruptedException {
    return new EventScan(ToolConnections.open(url));
  }

  /**
   * Hands each event of {@code type} stored after stream sequence {@code after} to {@code each}, with the order id
   * its subject ends with; the event is {@code null} when its bytes do not decode as {@code type} (poison that was
   * dead-lettered). Answers the last stream sequence read, or {@code after} when there was nothing new.
   */
  public <T extends Message> long read(EventType<T> type, long after, BiConsumer<String, T> each)
      throws IOException, InterruptedException, JetStreamApiException {
    return pass(type, after, false, (orderId, data) -> each.accept(orderId, decode(type, data)));
  }

  /**
   * Like {@link #read}, but only the order ids: the server sends headers alone, and nothing is decoded beyond the
   * subject.
   */
  public long readOrderIds(EventType<?> type, long after, Consumer<String> each)
      throws IOException, InterruptedException, JetStreamApiException {
    return pass(type, after, true, (orderId, data) -> each.accept(orderId));
  }

  private long pass(EventType<?> type, long after, boolean headersOnly, BiConsumer<String, byte[]> each)
      throws IOException, InterruptedException, JetStreamApiException {
    String stream = type.stream().name();
    if (!anyAfter(stream, after, type.filterSubject())) {
      return after;  // an ordered consumer would wait for a first message that never comes
    }
    OrderedConsumerConfiguration config = new OrderedConsumerConfiguration().filterSubject(type.filterSubject())
        .headersOnly(headersOnly);
    if (after > 0) {
      config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(after + 1);
    }
    int cut = type.prefix().length() + 1;
    long last = after;
    try (IterableConsumer messages = jetStream.getStreamContext(stream).createOrderedConsumer(config)
        .iterate(ConsumeOptions.builder().batchSize(BATCH).build())) {
      while (true) {
        io.nats.client.Message message = messages.nextMessage(READ_TIMEOUT);
        if (message == null) {
          throw new IOException("reading " + type.filterSubject() + " from " + stream + ": no message for "
              + READ_TIMEOUT.toSeconds() + " s after sequence " + last + " while more were pending");
        }
        last = message.metaData().streamSequence();
        each.accept(message.getSubject().substring(cut), message.getData());
        if (message.metaData().pendingCount() == 0) {
          return last;
        }
      }
    } catch (IOException | InterruptedException | JetStreamApiException | RuntimeException e) {
      throw e;
    } catch (Exception e) {  // only IterableConsumer.close() declares a bare Exception
      throw new IOException("reading " + stream + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code stream} holds a message on {@code filter} after sequence {@code after}: one request. */
  private boolean anyAfter(String stream, long after, String filter) throws IOException, JetStreamApiException {
    try {
      management.getNextMessage(stream, after + 1, filter);
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE || e.getErrorCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private static <T extends Message> T decode(EventType<T> type, byte[] data) {
    try {
      return type.parse(data);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
