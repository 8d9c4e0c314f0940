package dev.orderflow.console;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Timestamp;
import dev.orderflow.events.EventTime;
import dev.orderflow.messaging.EventLog.Stored;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.operate.DeadLetterDesk.Letter;
import dev.orderflow.messaging.operate.TopologyFigures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An order's timeline from its stored events and its dead letters: each event with when it was stored and how long
 * after the one before, the slowest step, where an unfinished order waits (and whether that is slow), and where it
 * failed (a dead letter). Plain Java, driven by a test.
 */
final class Timeline {

  /** An unfinished order waiting longer than this at a step is slow there. */
  static final Duration SLOW = Duration.ofSeconds(5);
  /** The event printed in full at most, in characters: an operator's glance, not a dump. */
  private static final int MAX_DETAILS = 600;
  /** The events that end an order's saga. */
  private static final List<EventType<?>> TERMINAL = List.of(Topology.SHIPMENT_SCHEDULED, Topology.ORDER_CANCELLED);

  private Timeline() {}

  /** The timeline of {@code orderId} at {@code now}. */
  static JsonObject of(String orderId, List<Stored> events, List<Letter> deadLetters, Instant now) {
    JsonArray entries = new JsonArray();
    Stored previous = null;
    Stored slowest = null;
    long slowestMillis = -1;
    for (Stored event : events) {
      Long took = previous == null ? null : Duration.between(previous.storedAt(), event.storedAt()).toMillis();
      if (took != null && took > slowestMillis) {
        slowest = event;
        slowestMillis = took;
      }
      entries.add(entry(event, took, deadLetters));
      previous = event;
    }
    boolean terminal = events.stream().anyMatch(e -> TERMINAL.contains(e.type()) && e.problem() == null);
    JsonObject timeline = new JsonObject()
        .put("orderId", orderId)
        .put("events", entries)
        .put("terminal", terminal);
    if (slowest != null) {
      Stored slow = slowest;
      entries.stream().map(JsonObject.class::cast)
          .filter(e -> e.getString("stream").equals(slow.stream()) && e.getLong("sequence") == slow.sequence())
          .forEach(e -> e.put("slowest", true));
      timeline.put("slowest", new JsonObject().put("type", name(slow)).put("tookMillis", slowestMillis));
    }
    if (!terminal && previous != null) {
      long waited = Duration.between(previous.storedAt(), now).toMillis();
      timeline.put("waiting", new JsonObject()
          .put("after", name(previous))
          .put("since", previous.storedAt().toString())
          .put("forMillis", Math.max(0, waited))
          .put("slow", waited > SLOW.toMillis())
          .put("consumers", previous.type() == null ? new JsonArray()
              : new JsonArray(TopologyFigures.consumersOf(previous.type()))));
    }
    JsonArray letters = new JsonArray();
    deadLetters.forEach(letter -> letters.add(DeadLetterJson.of(letter)));
    timeline.put("deadLetters", letters);
    if (!deadLetters.isEmpty()) {
      Letter first = deadLetters.get(0);
      timeline.put("failed", new JsonObject().put("consumer", first.consumer()).put("subject", first.originalSubject())
          .put("reason", first.reason()).put("deadLetter", first.sequence()));
    }
    return timeline;
  }

  private static JsonObject entry(Stored event, Long took, List<Letter> deadLetters) {
    JsonObject entry = new JsonObject()
        .put("type", name(event))
        .put("subject", event.subject())
        .put("stream", event.stream())
        .put("sequence", event.sequence())
        .put("storedAt", event.storedAt().toString())
        .put("sincePreviousMillis", took);
    Instant occurred = occurredAt(event.event());
    if (occurred != null) {
      entry.put("occurredAt", occurred.toString());
    }
    if (event.problem() != null) {
      entry.put("problem", event.problem());
    }
    if (event.event() != null) {
      String details = TextFormat.printer().emittingSingleLine(true).printToString(event.event());
      entry.put("details", details.length() > MAX_DETAILS ? details.substring(0, MAX_DETAILS) + "…" : details);
    }
    deadLetters.stream()
        .filter(letter -> Objects.equals(letter.originalSubject(), event.subject())
            && Objects.equals(letter.originalSequence(), Long.toString(event.sequence())))
        .findFirst()
        .ifPresent(letter -> entry.put("deadLetter", letter.sequence()));
    return entry;
  }

  private static String name(Stored event) {
    return event.type() == null ? "?" : event.type().name();
  }

  /** The event's own {@code occurred_at}, which every event carries. */
  private static Instant occurredAt(Message event) {
    if (event == null) {
      return null;
    }
    FieldDescriptor field = event.getDescriptorForType().findFieldByName("occurred_at");
    if (field == null || !event.hasField(field) || !(event.getField(field) instanceof Timestamp timestamp)) {
      return null;
    }
    return EventTime.toInstant(timestamp);
  }
}
