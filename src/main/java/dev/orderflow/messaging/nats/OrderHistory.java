package dev.orderflow.messaging.nats;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.EventLog.Stored;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import io.nats.client.Connection;
import io.nats.client.api.MessageInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every message stored on an order's subjects, in every stream: the order's whole history, for an operator's look
 * (the console's timeline). Each event type's subject is read with gets of the next message on that literal subject
 * ({@code next_by_subj}), so that the broker finds each through its subject index, never by walking a wildcard
 * over every order's subjects; usually one message and one "none" per type.
 */
final class OrderHistory {

  /** Messages read per subject at most: an event is written once per order, so more are forged or repeated. */
  static final int MAX_PER_SUBJECT = 16;

  private final Vertx vertx;
  private final Connection connection;
  private final boolean fromLeader;
  private final Duration timeout;

  OrderHistory(Vertx vertx, Connection connection, boolean fromLeader, Duration timeout) {
    this.vertx = vertx;
    this.connection = connection;
    this.fromLeader = fromLeader;
    this.timeout = timeout;
  }

  /** The messages on {@code orderId}'s subjects (a valid order id), in the order the streams stored them. */
  Future<List<Stored>> read(String orderId) {
    List<Future<List<Stored>>> perType = Topology.EVENTS.stream()
        .map(type -> onSubject(type, type.subject(orderId), 1, new ArrayList<>()))
        .toList();
    return Future.all(perType).map(all -> perType.stream()
        .flatMap(future -> future.result().stream())
        .sorted(Comparator.comparing(Stored::storedAt).thenComparing(Stored::stream)
            .thenComparingLong(Stored::sequence))
        .toList());
  }

  private Future<List<Stored>> onSubject(EventType<?> type, String subject, long from, List<Stored> found) {
    if (found.size() >= MAX_PER_SUBJECT) {
      return Future.succeededFuture(found);
    }
    // Order ids are valid subject tokens (EventLog checks them), so the subject needs no JSON escaping.
    byte[] body = ("{\"seq\":" + from + ",\"next_by_subj\":\"" + subject + "\"}").getBytes(StandardCharsets.UTF_8);
    String stream = type.stream().name();
    // At more than one replica the leader answers (see EventLog); otherwise any replica, with a direct get.
    String api = (fromLeader ? "$JS.API.STREAM.MSG.GET." : "$JS.API.DIRECT.GET.") + stream;
    return Outbox.request(vertx, connection, api, body, timeout).compose(reply -> {
      MessageInfo info = fromLeader ? LeaderReads.decode(reply) : direct(reply, stream);
      if (info == null) {
        return Future.succeededFuture(found);
      }
      found.add(stored(type, info, stream));
      return onSubject(type, subject, info.getSeq() + 1, found);
    });
  }

  private static MessageInfo direct(io.nats.client.Message reply, String stream) {
    if (reply.isStatusMessage()) {
      if (reply.getStatus().getCode() == 404) {
        return null;
      }
      throw new BrokerUnavailable("direct get: " + reply.getStatus(), null);
    }
    return new MessageInfo(reply, stream, true);
  }

  /** The stored message as an event of {@code type}, or with the reason it is none. */
  private static Stored stored(EventType<?> type, MessageInfo info, String stream) {
    Message event = null;
    String problem;
    try {
      event = type.parse(info.getData() == null ? new byte[0] : info.getData());
      problem = problemOf(type, event);
    } catch (InvalidProtocolBufferException e) {
      problem = "undecodable " + type.name() + ": " + e.getMessage();
    }
    return new Stored(type, event, info.getSubject(), stream, info.getSeq(),
        info.getTime() == null ? java.time.Instant.EPOCH : info.getTime().toInstant(), problem);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> String problemOf(EventType<T> type, Message event) {
    return type.problemOf().apply((T) event);
  }
}
