package dev.orderflow.messaging;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between {@link Instant} and the protobuf {@link Timestamp} every event carries. */
public final class EventTime {

  private EventTime() {}

  public static Timestamp of(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  public static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
