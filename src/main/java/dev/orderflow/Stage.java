package dev.orderflow;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One step of a process's life: its name (for the logs), what it starts, and how it stops again. {@link Orderflow}
 * is a list of these.
 *
 * <p>{@link #stop} is called whether or not {@link #start} ran or finished, because a start that failed half-way
 * must still be undone: it stops what is running and does nothing for what never started, and may be called again.
 */
record Stage(String name, Supplier<Future<Void>> starter, Supplier<Future<Void>> stopper) {

  /** Starts this stage; every stage before it has started. */
  Future<Void> start() {
    return starter.get();
  }

  /** Stops whatever {@link #start} started, in whole or in part; nothing if it started nothing. */
  Future<Void> stop() {
    return stopper.get();
  }

  @Override
  public String toString() {
    return name;
  }
}
