package dev.orderflow.observability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets through at most one log line per interval and counts the ones held back, so that something a client or an
 * outage can repeat thousands of times a second (a malformed request, a broker that stays away) cannot flood the
 * log. Thread-safe.
 */
public final class LogThrottle {

  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public LogThrottle(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Whether a line may be written now. When it may, {@link #suppressed()} tells how many were held back since the
   * last one; when not, this call is counted among them.
   */
  public boolean allow() {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  /** Lines held back since the last allowed one; reading resets the count. Call right after {@link #allow()}. */
  public long suppressed() {
    return suppressed.getAndSet(0);
  }

  /** Starts afresh: the next {@link #allow()} is let through (e.g. after the condition cleared). */
  public void reset() {
    nextAllowed.set(Long.MIN_VALUE);
    suppressed.set(0);
  }
}
