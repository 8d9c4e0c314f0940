package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.BrokerUnavailable;
import io.nats.client.Connection;
import io.nats.client.api.MessageInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The last message on a subject as a stream's leader has it: JetStream's message get ({@code last_by_subj}), which
 * only the leader answers. A replicated stream's followers answer direct gets as soon as they have applied 90 % of
 * what their leader has, so a direct get may answer with an older message, or none, for a while after a node
 * rejoined; the leader has every message acknowledged to a publisher. Used at more than one replica, where that
 * matters more than the direct get's lower cost.
 */
final class LeaderReads {

  /** JetStream's error code for a message get that finds nothing. */
  private static final int NO_MESSAGE_FOUND = 10037;

  private LeaderReads() {}

  /**
   * The last message on {@code subjects} (a wildcard may match several) in {@code stream}, or {@code null} if there
   * is none. {@code subjects} must need no JSON escaping (subject tokens of order ids and keys, which are checked).
   */
  static Future<MessageInfo> last(Vertx vertx, Connection connection, String stream, String subjects,
      Duration timeout) {
    byte[] body = ("{\"last_by_subj\":\"" + subjects + "\"}").getBytes(StandardCharsets.UTF_8);
    return Outbox.request(vertx, connection, "$JS.API.STREAM.MSG.GET." + stream, body, timeout)
        .map(LeaderReads::decode);
  }

  /** A message get's reply (the leader's JSON answer) as the message it holds, or {@code null} for "none". */
  static MessageInfo decode(io.nats.client.Message reply) {
    if (reply.isStatusMessage()) {
      throw new BrokerUnavailable("message get: " + reply.getStatus(), null);
    }
    MessageInfo info = new MessageInfo(reply, null, false);
    if (info.hasError()) {
      if (info.getApiErrorCode() == NO_MESSAGE_FOUND) {
        return null;
      }
      throw new BrokerUnavailable("message get: " + info.getError(), null);
    }
    if (info.getSubject() == null || info.getSeq() <= 0) {
      throw new BrokerUnavailable("message get: an answer without a subject or sequence", null);
    }
    return info;
  }
}
