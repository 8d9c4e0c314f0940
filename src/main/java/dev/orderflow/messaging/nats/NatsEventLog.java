package dev.orderflow.messaging.nats;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.events.OrderIds;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.StreamSpec;
import dev.orderflow.messaging.Topology;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Reads an order's events back from the streams, which are each context's record of its orders (every event is
 * stored on a subject that ends with the order id).
 *
 * <p>At one replica, with JetStream's direct get; the lookups of an order's last event, which the saga's steps make
 * for every delivery, are batched: those asked for together share one request ({@link LastEvents}). At more than
 * one replica, with JetStream's message get, which only the stream's leader answers, one request per read: any
 * replica answers a direct get, a follower as soon as it is 90 % caught up with its leader, and a step that reads
 * "nothing stored yet" from a follower behind its leader would act a second time (a reservation repeated so is
 * what left one unit of stock held for an unshipped order in a three-node cluster whose node had rejoined). The
 * leader has every event acknowledged to a publisher.
 *
 * <p>Thread-safe; futures complete on the caller's Vert.x context.
 */
public final class NatsEventLog implements EventLog {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Connection connection;
  private final LastEvents lastEvents;
  /** Whether reads go to each stream's leader (replicated streams) rather than to any replica. */
  private final boolean fromLeader;

  NatsEventLog(Vertx vertx, Connection connection, Dispatcher dispatcher, boolean fromLeader) {
    this.vertx = vertx;
    this.connection = connection;
    this.lastEvents = new LastEvents(vertx, connection, dispatcher, READ_TIMEOUT);
    this.fromLeader = fromLeader;
  }

  /** The event of {@code type} stored for {@code orderId} (the last, should there be several), or {@code null}. */
  @SuppressWarnings("unchecked")
  @Override
  public <T extends Message> Future<T> find(EventType<T> type, String orderId) {
    if (!OrderIds.valid(orderId)) {
      return notAnOrderId(orderId);
    }
    if (fromLeader) {
      return lastFromLeader(type.stream(), type.subject(orderId))
          .map(recorded -> recorded == null ? null : (T) recorded.event());
    }
    String api = "$JS.API.DIRECT.GET." + type.stream().name() + "." + type.subject(orderId);
    return Outbox.request(vertx, connection, api, null, READ_TIMEOUT).map(reply -> {
      Recorded<?> recorded = decode(reply);
      return recorded == null ? null : (T) recorded.event();
    });
  }

  /**
   * {@link #find}, but {@code null} also for an event of the wrong shape ({@link EventType#problemOf}): what a
   * compensation acts on, so that a chain of forged or broken events never adds up to an order that goes ahead.
   */
  @Override
  public <T extends Message> Future<T> findSound(EventType<T> type, String orderId) {
    return find(type, orderId).map(event -> event == null || !type.sound(event) ? null : event);
  }

  /**
   * The last event of {@code orderId} in the stream of {@code like} (of any type of that stream), or {@code null}:
   * which outcome a step announced, when it announces its outcomes with {@link EventPublisher.First#IN_ITS_STREAM}.
   */
  @Override
  public Future<Recorded<?>> last(EventType<?> like, String orderId) {
    if (!OrderIds.valid(orderId)) {
      return notAnOrderId(orderId);
    }
    return fromLeader
        ? lastFromLeader(like.stream(), like.stream().orderSubjects(orderId))
        : lastEvents.last(like.stream(), orderId);
  }

  /**
   * Every message stored on {@code orderId}'s subjects in every stream, in the order they were stored: the order's
   * history, for an operator's look (a few reads per event type; see {@link OrderHistory}), never the saga's.
   */
  @Override
  public Future<java.util.List<Stored>> history(String orderId) {
    if (!OrderIds.valid(orderId)) {
      return notAnOrderId(orderId);
    }
    return new OrderHistory(vertx, connection, fromLeader, READ_TIMEOUT).read(orderId);
  }

  /** The last message on {@code subjects} (a wildcard may match several) as the stream's leader has it. */
  private Future<Recorded<?>> lastFromLeader(StreamSpec stream, String subjects) {
    // Order ids are valid subject tokens (checked above), so the subject needs no JSON escaping.
    return LeaderReads.last(vertx, connection, stream.name(), subjects, READ_TIMEOUT).map(NatsEventLog::recorded);
  }

  private static <T> Future<T> notAnOrderId(String orderId) {
    return Future.failedFuture(new IllegalArgumentException("not an order id: " + orderId));
  }

  /** A direct get's reply as the event it holds, or {@code null} for "not found". */
  static Recorded<?> decode(io.nats.client.Message reply) {
    if (reply.isStatusMessage()) {
      if (reply.getStatus().getCode() == 404) {
        return null;
      }
      throw new BrokerUnavailable("direct get: " + reply.getStatus(), null);
    }
    Headers headers = reply.getHeaders();
    String subject = headers == null ? null : headers.getFirst("Nats-Subject");
    String sequence = headers == null ? null : headers.getFirst("Nats-Sequence");
    if (subject == null || sequence == null) {
      throw new BrokerUnavailable("direct get: a reply without Nats-Subject or Nats-Sequence", null);
    }
    return recorded(subject, reply.getData(), Long.parseLong(sequence));
  }

  /** A message the stream's leader answered with as the event it holds, or {@code null} for "none". */
  private static Recorded<?> recorded(MessageInfo info) {
    return info == null ? null
        : recorded(info.getSubject(), info.getData() == null ? new byte[0] : info.getData(), info.getSeq());
  }

  /** The event stored on {@code subject}, of the type its subject names. */
  private static Recorded<?> recorded(String subject, byte[] data, long sequence) {
    EventType<?> type = Topology.eventType(subject.substring(0, subject.lastIndexOf('.')));
    if (type == null) {
      throw new IllegalStateException("a message on " + subject + " is no known event");
    }
    return recorded(type, data, sequence);
  }

  private static <T extends Message> Recorded<T> recorded(EventType<T> type, byte[] data, long sequence) {
    try {
      return new Recorded<>(type, type.parse(data), sequence);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable " + type.name() + " #" + sequence + ": " + e.getMessage(), e);
    }
  }
}
