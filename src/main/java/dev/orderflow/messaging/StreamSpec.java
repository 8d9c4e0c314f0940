package dev.orderflow.messaging;

/**
 * A JetStream stream: its name and the first token of every subject it stores ({@code <token>.>}).
 *
 * <p>Every event is stored on {@code <token>.<event>.<orderId>}, so the stream is also each order's record in
 * its context: the last event of an order is one direct get away, and {@link #orderSubjects} names them all.
 */
public record StreamSpec(String name, String token) {

  /** The subjects the stream stores. */
  public String subjects() {
    return token + ".>";
  }

  /** Every event this stream holds for {@code orderId}, whatever its type: {@code <token>.*.<orderId>}. */
  public String orderSubjects(String orderId) {
    return token + ".*." + orderId;
  }
}
