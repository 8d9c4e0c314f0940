package dev.orderflow.messaging.operate;

import dev.orderflow.events.OrderIds;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.nats.DeadLetters;
import dev.orderflow.messaging.nats.NatsBridge;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An operator's desk for the dead-letter stream: list what was given up and why, send a message back to the subject
 * it came from (after the cause is mended), or discard it. One desk serves {@code bin/deadletters} (on a connection
 * of its own, {@link #open}) and the service's {@code /admin/dead-letters} (on the service's connection, see
 * {@link NatsBridge#deadLetterDesk}). Blocking: the service calls it on a worker thread.
 *
 * <p>A message sent back is stored again on its original subject, so its consumer handles it anew. Handlers are
 * idempotent and every outcome is written once per order, so sending back a message that was in fact handled
 * changes nothing.
 */
public final class DeadLetterDesk implements AutoCloseable {

  /** JetStream's "no message found" (a sequence deleted, discarded or sent back, or past the end). */
  private static final int NO_MESSAGE_FOUND = 10037;
  private static final int DELETE_FAILED = 10057;

  /**
   * One dead letter: its sequence in the dead-letter stream, the consumer that gave it up, where it came from, how
   * often it was delivered, why it was given up, the order its subject names (null when its subject is no event's),
   * and when it was stored.
   */
  public record Letter(long sequence, String consumer, String originalSubject, String originalStream,
      String originalSequence, String deliveries, String reason, String orderId, Instant storedAt, int bytes) {}

  /** No dead letter has this sequence (any more): discarded, sent back, or never there. */
  public static final class NotFound extends RuntimeException {
    NotFound(long sequence) {
      super("there is no dead letter " + sequence + " (discarded or sent back already?)", null, false, false);
    }
  }

  private final Connection connection;
  private final boolean owned;
  private final JetStreamManagement management;
  private final JetStream jetStream;

  private DeadLetterDesk(Connection connection, boolean owned) {
    this.connection = connection;
    this.owned = owned;
    try {
      this.management = connection.jetStreamManagement();
      this.jetStream = connection.jetStream();
    } catch (IOException e) {
      throw new BrokerUnavailable("JetStream: " + e.getMessage(), e);
    }
  }

  /** Connects to {@code url} (comma-separated servers); {@link #close} closes that connection. */
  public static DeadLetterDesk open(String url) throws IOException, InterruptedException {
    return new DeadLetterDesk(ToolConnections.open(url), true);
  }

  /** A desk on the bridge's connection, which the bridge owns and closes. */
  public static DeadLetterDesk on(NatsBridge bridge) {
    return new DeadLetterDesk(bridge.connection(), false);
  }

  /** Up to {@code limit} dead letters, oldest first. */
  public List<Letter> list(int limit) {
    return list(0, limit);
  }

  /** Up to {@code limit} dead letters after sequence {@code after}, oldest first. */
  public List<Letter> list(long after, int limit) {
    List<Letter> letters = new ArrayList<>();
    for (long seq = after + 1; letters.size() < limit; ) {
      MessageInfo message = next(seq);
      if (message == null) {
        break;
      }
      letters.add(letter(message));
      seq = message.getSeq() + 1;
    }
    return letters;
  }

  /**
   * The dead letters about {@code orderId}, among the first {@code scanLimit} of the stream (they name their order
   * only in a header, so finding them means reading them; an operator's look, not the saga's).
   */
  public List<Letter> forOrder(String orderId, int scanLimit) {
    List<Letter> found = new ArrayList<>();
    long seq = 1;
    for (int read = 0; read < scanLimit; read++) {
      MessageInfo message = next(seq);
      if (message == null) {
        break;
      }
      Letter letter = letter(message);
      if (orderId.equals(letter.orderId())) {
        found.add(letter);
      }
      seq = message.getSeq() + 1;
    }
    return found;
  }

  /** Sends dead letter {@code sequence} back to its original subject, then removes it from the dead letters. */
  public Letter sendBack(long sequence) {
    MessageInfo message = get(sequence);
    Letter letter = letter(message);
    if (letter.originalSubject() == null) {
      throw new IllegalStateException("dead letter " + sequence + " does not say where it came from");
    }
    Headers headers = new Headers();
    Headers stored = message.getHeaders();
    if (stored != null) {
      // The trace context and anything else the original carried go back with it; the desk's own headers do not.
      stored.keySet().stream()
          .filter(key -> !key.startsWith("Orderflow-") && !key.startsWith("Nats-"))
          .forEach(key -> headers.put(key, stored.get(key)));
    }
    try {
      jetStream.publish(letter.originalSubject(), headers, message.getData(), PublishOptions.builder()
          .messageId("replay:" + Topology.DEAD_LETTERS.name() + ":" + sequence)
          .build());
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerUnavailable("sending dead letter " + sequence + " back failed: " + e.getMessage(), e);
    }
    delete(sequence);
    return letter;
  }

  /** Removes dead letter {@code sequence} for good. */
  public void discard(long sequence) {
    delete(sequence);
  }

  private MessageInfo next(long sequence) {
    try {
      return management.getNextMessage(Topology.DEAD_LETTERS.name(), sequence, Topology.DEAD_LETTERS.subjects());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE_FOUND) {
        return null;
      }
      throw new BrokerUnavailable("reading the dead letters failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BrokerUnavailable("reading the dead letters failed: " + e.getMessage(), e);
    }
  }

  private MessageInfo get(long sequence) {
    try {
      return management.getMessage(Topology.DEAD_LETTERS.name(), sequence);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE_FOUND) {
        throw new NotFound(sequence);
      }
      throw new BrokerUnavailable("reading dead letter " + sequence + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BrokerUnavailable("reading dead letter " + sequence + " failed: " + e.getMessage(), e);
    }
  }

  private void delete(long sequence) {
    try {
      management.deleteMessage(Topology.DEAD_LETTERS.name(), sequence);
    } catch (JetStreamApiException e) {
      // A delete of a message that is not there fails as "msg delete failed" (10057) with the store's reason.
      if (e.getApiErrorCode() == NO_MESSAGE_FOUND || (e.getApiErrorCode() == DELETE_FAILED
          && String.valueOf(e.getErrorDescription()).contains("no message found"))) {
        throw new NotFound(sequence);
      }
      // Other words for "not there" (a sequence past the stream's end, say): a read says so plainly.
      get(sequence);
      throw new BrokerUnavailable("removing dead letter " + sequence + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BrokerUnavailable("removing dead letter " + sequence + " failed: " + e.getMessage(), e);
    }
  }

  private static Letter letter(MessageInfo message) {
    Headers headers = message.getHeaders();
    String subject = message.getSubject();
    String original = header(headers, DeadLetters.ORIGINAL_SUBJECT);
    return new Letter(message.getSeq(),
        subject.substring(subject.indexOf('.') + 1),
        original,
        header(headers, DeadLetters.ORIGINAL_STREAM),
        header(headers, DeadLetters.ORIGINAL_SEQUENCE),
        header(headers, DeadLetters.DELIVERIES),
        header(headers, DeadLetters.REASON),
        orderOf(original),
        message.getTime() == null ? null : message.getTime().toInstant(),
        message.getData() == null ? 0 : message.getData().length);
  }

  /** The order an event's subject names ({@code <prefix>.<orderId>}), or null for a subject of no event type. */
  static String orderOf(String subject) {
    int dot = subject == null ? -1 : subject.lastIndexOf('.');
    if (dot < 0 || Topology.eventType(subject.substring(0, dot)) == null) {
      return null;
    }
    String orderId = subject.substring(dot + 1);
    return OrderIds.valid(orderId) ? orderId : null;
  }

  private static String header(Headers headers, String name) {
    return headers == null ? null : headers.getFirst(name);
  }

  @Override
  public void close() throws InterruptedException {
    if (owned) {
      connection.close();
    }
  }
}
