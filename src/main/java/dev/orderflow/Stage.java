package dev.orderflow;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One step of a process's life: what it starts, and how it stops again. {@link Orderflow} is a list of these.
 *
 * <p>{@link #stop} is called whether or not {@link #start} ran or finished, because a start that failed half-way
 * must still be undone: it stops what is running and does nothing for what never started, and may be called again.
 */
interface Stage {

  /** For the logs: what this stage runs. */
  String name();

  /** Starts this stage; every stage before it has started. */
  Future<Void> start();

  /** Stops whatever {@link #start} started, in whole or in part; nothing if it started nothing. */
  Future<Void> stop();

  static Stage of(String name, Supplier<Future<Void>> start, Supplier<Future<Void>> stop) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> start() {
        return start.get();
      }

      @Override
      public Future<Void> stop() {
        return stop.get();
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
