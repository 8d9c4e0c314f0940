package dev.orderflow.orders;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.orderflow.events.EventIds;
import dev.orderflow.events.EventTime;
import dev.orderflow.events.v1.CancellationReason;
import dev.orderflow.events.v1.OrderCancelled;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.messaging.Announcer;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventLog.Recorded;
import dev.orderflow.messaging.EventPublisher.Written;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * The orders context's protocol: each order's one decision, confirmed (it goes to shipping) or cancelled, over two
 * small stores (the orders stream's records and its conditional publish), so that a unit test drives it without
 * NATS.
 *
 * <p>The decision is the first event written after the order's {@code OrderPlaced} in the orders stream
 * ({@link Announcer#publishAfter}): a confirmation and a cancellation asked for at the same moment (a customer's
 * cancel racing the payment's outcome) cannot both be stored, whichever instance writes them. {@code
 * OrderConfirmed} is what shipping ships on, so a stored cancellation means the shipment can no longer be
 * scheduled, and a stored confirmation means the order will ship. The sequence of {@code OrderPlaced} travels with
 * the saga's events, so the hot path writes its decision without a read; an event without it (or a stream that
 * holds something else after {@code OrderPlaced}) costs one read of the order's last event.
 */
final class OrderDecisions {

  /** What the orders stream holds for an order ({@link EventLog}). */
  interface Records {
    /** The order's last event in the orders stream, with its sequence, or {@code null}. */
    Future<Recorded<?>> last(String orderId);

    static Records of(EventLog log) {
      return orderId -> log.last(Topology.ORDER_PLACED, orderId);
    }
  }

  /** How a decision came out: this one stored, or the one that stands (stored before it). */
  record Decision(boolean stored, Message standing) {

    /** Whether the order stands confirmed (by this decision or an earlier one). */
    boolean confirmed() {
      return standing instanceof OrderConfirmed;
    }

    /** The cancellation that stands, or {@code null} when the order stands confirmed. */
    OrderCancelled cancellation() {
      return standing instanceof OrderCancelled cancelled ? cancelled : null;
    }
  }

  /**
   * How many times a decision is tried again after something other than a decision was stored after its {@code
   * OrderPlaced} (a message dead-lettered on one of the order's subjects): each try moves past one such message.
   */
  private static final int MAX_TRIES = 4;

  private final Records records;
  private final Announcer announcer;

  OrderDecisions(Records records, Announcer announcer) {
    this.records = records;
    this.announcer = announcer;
  }

  /** Confirms a paid order, unless it was cancelled first. {@code placedSequence}: 0 when unknown. */
  Future<Decision> confirm(String orderId, String customerId, List<OrderLine> lines, Timestamp placedAt,
      long placedSequence) {
    OrderConfirmed confirmed = OrderConfirmed.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setCustomerId(customerId)
        .addAllLines(lines)
        .setPlacedAt(placedAt)
        .build();
    return decide(Topology.ORDER_CONFIRMED, orderId, confirmed, placedSequence, 0);
  }

  /** Cancels an order for {@code reason}, unless it was confirmed (or cancelled) first. */
  Future<Decision> cancel(String orderId, CancellationReason reason, Timestamp placedAt) {
    OrderCancelled cancelled = OrderCancelled.newBuilder()
        .setEventId(EventIds.next())
        .setOrderId(orderId)
        .setOccurredAt(EventTime.of(Instant.now()))
        .setReason(reason)
        .setPlacedAt(placedAt)
        .build();
    return decide(Topology.ORDER_CANCELLED, orderId, cancelled, 0, 0);
  }

  private <T extends Message> Future<Decision> decide(EventType<T> type, String orderId, T decision, long after,
      int tries) {
    Future<Written> written = after > 0
        ? announcer.publishAfter(type, orderId, decision, after)
        : Future.succeededFuture(Written.PREEMPTED);
    return written.compose(outcome -> outcome == Written.STORED
        ? Future.succeededFuture(new Decision(true, decision))
        : records.last(orderId).compose(last -> standing(type, orderId, decision, last, tries)));
  }

  /**
   * After a publish that did not store (or was not tried): the decision stored before, or, when the order's last
   * event is something else (its {@code OrderPlaced}, or a message given up on one of its subjects), a try after it.
   */
  private <T extends Message> Future<Decision> standing(EventType<T> type, String orderId, T decision,
      Recorded<?> last, int tries) {
    if (last == null) {
      // The orders stream holds nothing of the order: a read not yet caught up with its OrderPlaced. Retried.
      return Future.failedFuture(new IllegalStateException("order " + orderId + " has no OrderPlaced to decide on"));
    }
    if (isDecision(last)) {
      // A repeat of this very write (its message id deduplicated) is this decision, stored.
      boolean mine = eventId(last.event()).equals(eventId(decision));
      return Future.succeededFuture(new Decision(mine, last.event()));
    }
    if (tries >= MAX_TRIES) {
      return Future.failedFuture(new IllegalStateException("order " + orderId + ": no " + type.name()
          + " could be written after " + MAX_TRIES + " tries (the stream keeps changing)"));
    }
    return decide(type, orderId, decision, last.sequence(), tries + 1);
  }

  private static boolean isDecision(Recorded<?> recorded) {
    return recorded.event() instanceof OrderConfirmed confirmed && Topology.ORDER_CONFIRMED.sound(confirmed)
        || recorded.event() instanceof OrderCancelled cancelled && Topology.ORDER_CANCELLED.sound(cancelled);
  }

  private static String eventId(Message event) {
    return event instanceof OrderConfirmed confirmed ? confirmed.getEventId()
        : event instanceof OrderCancelled cancelled ? cancelled.getEventId() : "";
  }
}
