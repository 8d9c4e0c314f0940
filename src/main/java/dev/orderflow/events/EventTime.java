package dev.orderflow.events;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;

/** Conversions between {@link Instant} and the protobuf {@link Timestamp} every event carries. */
public final class EventTime {

  /** No event of this software predates this. */
  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  /** Clocks of the machines of one deployment may disagree, but not by this much. */
  private static final Duration AHEAD = Duration.ofDays(1);

  private EventTime() {}

  /** Whether {@code timestamp} is a time an event of this software can have: not before 2000, nor a day ahead. */
  public static boolean plausible(Timestamp timestamp) {
    return timestamp.getNanos() >= 0 && timestamp.getNanos() <= 999_999_999
        && timestamp.getSeconds() >= EARLIEST.getEpochSecond()
        && timestamp.getSeconds() <= Instant.now().plus(AHEAD).getEpochSecond();
  }

  public static Timestamp of(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  public static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
