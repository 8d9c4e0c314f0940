package dev.orderflow.messaging;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An operator's desk for the dead-letter stream: list what was given up and why, send a message back to the subject
 * it came from (after the cause is mended), or discard it. For {@code bin/deadletters}; the service itself never
 * calls it. Blocking.
 *
 * <p>A message sent back is stored again on its original subject, so its consumer handles it anew. Handlers are
 * idempotent and every outcome is written once per order, so sending back a message that was in fact handled
 * changes nothing.
 */
public final class DeadLetterDesk implements AutoCloseable {

  /** One dead letter: its sequence in the dead-letter stream, where it came from and why it was given up. */
  public record Letter(long sequence, String consumer, String originalSubject, String originalSequence,
      String deliveries, String reason, int bytes) {}

  private final Connection connection;
  private final JetStreamManagement management;

  private DeadLetterDesk(Connection connection) throws IOException {
    this.connection = connection;
    this.management = connection.jetStreamManagement();
  }

  /** Connects to {@code url} (comma-separated servers). */
  public static DeadLetterDesk open(String url) throws IOException, InterruptedException {
    return new DeadLetterDesk(ToolConnections.open(url));
  }

  /** Up to {@code limit} dead letters, oldest first. */
  public List<Letter> list(int limit) throws IOException, JetStreamApiException {
    StreamInfo info = management.getStreamInfo(Topology.DEAD_LETTERS.name());
    List<Letter> letters = new ArrayList<>();
    long last = info.getStreamState().getLastSequence();
    for (long seq = info.getStreamState().getFirstSequence(); seq <= last && letters.size() < limit; seq++) {
      MessageInfo message;
      try {
        message = management.getMessage(Topology.DEAD_LETTERS.name(), seq);
      } catch (JetStreamApiException deleted) {
        continue; // discarded or sent back
      }
      letters.add(letter(message));
    }
    return letters;
  }

  /** Sends dead letter {@code sequence} back to its original subject, then removes it from the dead letters. */
  public Letter sendBack(long sequence) throws IOException, JetStreamApiException {
    MessageInfo message = management.getMessage(Topology.DEAD_LETTERS.name(), sequence);
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
    connection.jetStream().publish(letter.originalSubject(), headers, message.getData(), PublishOptions.builder()
        .messageId("replay:" + Topology.DEAD_LETTERS.name() + ":" + sequence)
        .build());
    management.deleteMessage(Topology.DEAD_LETTERS.name(), sequence);
    return letter;
  }

  /** Removes dead letter {@code sequence} for good. */
  public void discard(long sequence) throws IOException, JetStreamApiException {
    management.deleteMessage(Topology.DEAD_LETTERS.name(), sequence);
  }

  private static Letter letter(MessageInfo message) {
    Headers headers = message.getHeaders();
    String subject = message.getSubject();
    return new Letter(message.getSeq(),
        subject.substring(subject.indexOf('.') + 1),
        header(headers, DeadLetters.ORIGINAL_SUBJECT),
        header(headers, DeadLetters.ORIGINAL_SEQUENCE),
        header(headers, DeadLetters.DELIVERIES),
        header(headers, DeadLetters.REASON),
        message.getData() == null ? 0 : message.getData().length);
  }

  private static String header(Headers headers, String name) {
    return headers == null ? null : headers.getFirst(name);
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
