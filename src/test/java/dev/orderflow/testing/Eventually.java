package dev.orderflow.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Polls for a condition until a deadline, the way nats-server's own tests {@code checkFor}. Never sleep-and-hope. */
public final class Eventually {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
  private static final long POLL_MILLIS = 25;

  private Eventually() {}

  /** Calls {@code probe} until its result satisfies {@code done}, and returns that result. */
  public static <T> T eventually(Callable<T> probe, Predicate<T> done) {
    return eventually(DEFAULT_TIMEOUT, probe, done);
  }

  public static <T> T eventually(Duration timeout, Callable<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.call();
        if (done.test(last)) {
          return last;
        }
        lastError = null;
      } catch (Exception e) {
        lastError = e;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while polling", e);
      }
    }
    AssertionError failure = new AssertionError("condition not met within " + timeout.toMillis() + " ms; last value: "
        + last);
    if (lastError != null) {
      failure.addSuppressed(lastError);
    }
    throw failure;
  }
}
