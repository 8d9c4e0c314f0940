package dev.orderflow.messaging;

import static org.assertj.core.api.Assertions.assertThat;

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
  @DisplayName("a consumer of some of its stream's events filters on each of them")
  void aConsumerOfSomeEventsFiltersOnEachOfThem() {
    assertThat(Topology.INVENTORY_ON_PAYMENTS.filterSubjects())
        .containsExactly("payments.declined.*", "payments.failed.*");
    assertThat(Topology.INVENTORY_ON_ORDERS.filterSubjects()).containsExactly("orders.placed.*");
  }
}
