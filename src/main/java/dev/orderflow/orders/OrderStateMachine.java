package dev.orderflow.orders;

import static dev.orderflow.orders.OrderStatus.CANCELLED;
import static dev.orderflow.orders.OrderStatus.CONFIRMED;
import static dev.orderflow.orders.OrderStatus.PAID;
import static dev.orderflow.orders.OrderStatus.RESERVED;
import static dev.orderflow.orders.OrderStatus.SHIPPED;

import dev.orderflow.events.v1.CancellationReason;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * The order's state machine: given the order view and a fact, the next view and what the orders context must
 * announce. Pure, so every path is unit-tested without a broker.
 *
 * <p>Facts may arrive late or twice (each context has its own consumer, and deliveries repeat), so the machine
 * is monotonic: a fact for a stage the order already passed only records its time if that is missing, a
 * repeated fact changes nothing, and a terminal status never changes.
 */
final class OrderStateMachine {

  /** What the orders context must publish as a consequence of a fact. */
  enum Reaction { NONE, CONFIRM, CANCEL }

  /**
   * The outcome of applying a fact.
   *
   * @param order the order after the fact (the same instance when nothing changed)
   */
  record Decision(Order order, Reaction reaction) {}

  private OrderStateMachine() {}

  /**
   * @param at when the fact happened (the event's time)
   * @param now the time of this decision, used for the transitions the orders context makes itself
   */
  static Decision decide(Order order, OrderFact fact, Instant at, Instant now) {
    return switch (fact) {
      case STOCK_RESERVED -> advance(order, RESERVED, at);
      case SHIPMENT_SCHEDULED -> advance(order, SHIPPED, at);
      case PAYMENT_AUTHORIZED -> confirm(order, at, now);
      case STOCK_REJECTED -> cancel(order, RESERVED, CancellationReason.OUT_OF_STOCK, at);
      case PAYMENT_DECLINED -> cancel(order, PAID, CancellationReason.PAYMENT_DECLINED, at);
      case PAYMENT_FAILED -> cancel(order, PAID, CancellationReason.PAYMENT_FAILED, at);
    };
  }

  private static Decision advance(Order order, OrderStatus target, Instant at) {
    if (order.status().before(target)) {
      return new Decision(order.moveTo(target, at), Reaction.NONE);
    }
    return new Decision(late(order, target, at), Reaction.NONE);
  }

  /** A paid order is confirmed at once: the orders context announces it to shipping. */
  private static Decision confirm(Order order, Instant at, Instant now) {
    if (order.status().before(PAID)) {
      return new Decision(order.moveTo(PAID, at).moveTo(CONFIRMED, now), Reaction.CONFIRM);
    }
    return new Decision(late(late(order, PAID, at), CONFIRMED, now), Reaction.NONE);
  }

  /**
   * Cancels the order if it has not yet reached {@code reachedBy}; past it, the fact contradicts what is
   * known (or repeats it) and changes nothing.
   */
  private static Decision cancel(Order order, OrderStatus reachedBy, CancellationReason reason, Instant at) {
    if (order.status().before(reachedBy)) {
      return new Decision(order.cancel(reason, at), Reaction.CANCEL);
    }
    return new Decision(order, Reaction.NONE);
  }

  /**
   * Records the time of a stage the order passed without it, unless it was cancelled or has the time. The time is
   * never later than that of a stage after it, so the order's timeline reads in order.
   */
  private static Order late(Order order, OrderStatus passed, Instant at) {
    if (order.status() == CANCELLED || order.transitions().containsKey(passed)) {
      return order;
    }
    Instant time = order.transitions().entrySet().stream()
        .filter(transition -> passed.before(transition.getKey()))
        .map(Map.Entry::getValue)
        .filter(later -> later.isBefore(at))
        .min(Comparator.naturalOrder())
        .orElse(at);
    return order.record(passed, time);
  }
}
