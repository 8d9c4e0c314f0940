package dev.orderflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Topology")
class TopologyTest {

  @Test
  @DisplayName("a consumer of every event its stream holds filters on the whole stream")
  void aConsumerOfEveryEventOfItsStreamFiltersOnTheWholeStream() {
    assertThat(Topology.ORDERS_ON_PAYMENTS.filterSubjects()).containsExactly("payments.>");
  }

  @Test
  @DisplayName("a consumer of one of its stream's events filters on that event")
  void aConsumerOfOneEventFiltersOnIt() {
    assertThat(Topology.INVENTORY_ON_PAYMENT_DECLINED.filterSubjects()).containsExactly("payments.declined.*");
    assertThat(Topology.INVENTORY_ON_PAYMENT_FAILED.filterSubjects()).containsExactly("payments.failed.*");
    assertThat(Topology.INVENTORY_ON_ORDERS.filterSubjects()).containsExactly("orders.placed.*");
  }

  @Test
  @DisplayName("no consumer has several filters (nats-server walks every subject of the stream to serve one)")
  void noConsumerHasSeveralFilters() {
    assertThat(Topology.CONSUMERS).allSatisfy(consumer -> assertThat(consumer.filterSubjects()).hasSize(1));
  }

  @Test
  @DisplayName("the dead-letter stream remembers message ids for at least two of the longest backoffs, so that a "
      + "retried dead letter is not stored twice; the others for the configured window")
  void duplicateWindows() {
    Duration window = Duration.ofSeconds(30);
    Duration backoff = Duration.ofSeconds(30);
    assertThat(Topology.duplicateWindow(Topology.DEAD_LETTERS, window, backoff)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Topology.duplicateWindow(Topology.DEAD_LETTERS, Duration.ofMinutes(5), backoff))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(Topology.duplicateWindow(Topology.ORDERS, window, backoff)).isEqualTo(window);
    assertThat(Topology.duplicateWindow(Topology.PAYMENTS, window, Duration.ofMinutes(10))).isEqualTo(window);
  }
}
