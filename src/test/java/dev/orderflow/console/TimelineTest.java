package dev.orderflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.orderflow.events.v1.OrderConfirmed;
import dev.orderflow.events.v1.OrderPlaced;
import dev.orderflow.events.v1.ShipmentScheduled;
import dev.orderflow.messaging.EventLog.Stored;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.Topology;
import dev.orderflow.messaging.operate.DeadLetterDesk.Letter;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An order's timeline")
class TimelineTest {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  @Test
  @DisplayName("marks the slowest step, where an unfinished order waits and at which consumer, and its dead letter")
  void unfinished() {
    List<Stored> events = List.of(
        stored(Topology.ORDER_PLACED, OrderPlaced.getDefaultInstance(), 1, 0),
        stored(Topology.ORDER_CONFIRMED, OrderConfirmed.getDefaultInstance(), 2, 900));
    Letter letter = new Letter(7, "shipping-orders", "orders.confirmed.o-1", "ORDERS", "2", "6",
        "gave up after 6 deliveries", "o-1", T0.plusSeconds(2), 40);

    JsonObject timeline = Timeline.of("o-1", events, List.of(letter), T0.plusSeconds(10));

    assertThat(timeline.getBoolean("terminal")).isFalse();
    assertThat(timeline.getJsonObject("slowest").getLong("tookMillis")).isEqualTo(900);
    JsonObject waiting = timeline.getJsonObject("waiting");
    assertThat(waiting.getString("after")).isEqualTo("OrderConfirmed");
    assertThat(waiting.getLong("forMillis")).isEqualTo(9_100);
    assertThat(waiting.getBoolean("slow")).isTrue();
    assertThat(waiting.getJsonArray("consumers")).containsExactly("shipping-orders");
    assertThat(timeline.getJsonObject("failed").getLong("deadLetter")).isEqualTo(7);
    JsonObject confirmed = timeline.getJsonArray("events").getJsonObject(1);
    assertThat(confirmed.getLong("deadLetter")).isEqualTo(7);
    assertThat(confirmed.getBoolean("slowest")).isTrue();
    assertThat(confirmed.getLong("sincePreviousMillis")).isEqualTo(900);
    assertThat(timeline.getJsonArray("events").getJsonObject(0).containsKey("deadLetter")).isFalse();
  }

  @Test
  @DisplayName("of a shipped order waits nowhere and names no failure")
  void shipped() {
    List<Stored> events = List.of(
        stored(Topology.ORDER_PLACED, OrderPlaced.getDefaultInstance(), 1, 0),
        stored(Topology.SHIPMENT_SCHEDULED, ShipmentScheduled.getDefaultInstance(), 1, 20));
    JsonObject timeline = Timeline.of("o-1", events, List.of(), T0.plusSeconds(60));
    assertThat(timeline.getBoolean("terminal")).isTrue();
    assertThat(timeline.containsKey("waiting")).isFalse();
    assertThat(timeline.containsKey("failed")).isFalse();
  }

  private static Stored stored(EventType<?> type, Message event, long sequence, long atMillis) {
    return new Stored(type, event, type.subject("o-1"), type.stream().name(), sequence, T0.plusMillis(atMillis), null);
  }
}
