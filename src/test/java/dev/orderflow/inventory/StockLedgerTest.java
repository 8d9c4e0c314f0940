package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The stock ledger")
class StockLedgerTest {


  @Test
  @DisplayName("moves reserved units from available to reserved, holding them for the order")
  void reserve() {
    Stock.Change change = Stock.of(10).reserve("o-1", 4);
    assertThat(change.held()).isTrue();
    assertThat(change.stock().available()).isEqualTo(6);
    assertThat(change.stock().reserved()).isEqualTo(4);
    assertThat(change.stock().holds()).containsEntry("o-1", 4L);
  }

  @Test
  @DisplayName("recognises an order's reservation applied before, and does not reserve twice")
  void reserveTwice() {
    Stock once = Stock.of(10).reserve("o-1", 4).stock();
    Stock.Change twice = once.reserve("o-1", 4);
    assertThat(twice.held()).isTrue();
    assertThat(twice.stock()).isEqualTo(once);
    // Even when what is left would not cover it again.
    Stock lastUnits = Stock.of(4).reserve("o-2", 4).stock();
    assertThat(lastUnits.reserve("o-2", 4).held()).isTrue();
  }

  @Test
  @DisplayName("refuses to reserve more than is available, down to the last unit, and changes nothing")
  void neverOversells() {
    assertThat(Stock.of(3).reserve("o-1", 3).held()).isTrue();
    Stock.Change refused = Stock.of(3).reserve("o-1", 4);
    assertThat(refused.held()).isFalse();
    assertThat(refused.stock()).isEqualTo(Stock.of(3));
  }

  @Test
  @DisplayName("gives back a rejected order's held units once, and nothing for an order that holds none")
  void unreserve() {
    Stock held = Stock.of(10).reserve("o-1", 4).stock();
    Stock givenBack = held.unreserve("o-1");
    assertThat(givenBack).isEqualTo(Stock.of(10));
    assertThat(givenBack.unreserve("o-1")).isEqualTo(givenBack);
    assertThat(Stock.of(10).unreserve("o-2")).isEqualTo(Stock.of(10));
  }

  @Test
  @DisplayName("releases a settled reservation once, however often the release is repeated")
  void releaseOnce() {
    Stock reserved = Stock.of(10).reserve("o-1", 4).stock().settleHold("o-1");
    Stock released = reserved.release("o-1", 4);
    assertThat(released.available()).isEqualTo(10);
    assertThat(released.reserved()).isZero();
    assertThat(released.release("o-1", 4)).isEqualTo(released);
    assertThat(released.settleReturn("o-1")).isEqualTo(Stock.of(10));
  }

  @Test
  @DisplayName("keeps a release's marker when a late settle of the reservation comes through")
  void lateSettleKeepsTheReleaseMarker() {
    Stock released = Stock.of(10).reserve("o-1", 4).stock().settleHold("o-1").release("o-1", 4);
    Stock afterLateSettle = released.settleHold("o-1");
    assertThat(afterLateSettle.returns()).containsKey("o-1");
    assertThat(afterLateSettle.release("o-1", 4)).isEqualTo(afterLateSettle);
  }

  @Test
  @DisplayName("refuses to release more than is reserved")
  void neverReleasesWhatIsNotHeld() {
    assertThatThrownBy(() -> Stock.of(5).release("o-1", 3)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("survives encoding unchanged, per-order entries included")
  void encoding() {
    Stock stock = Stock.of(123).reserve("o-1", 5).stock().reserve("o-2", 7).stock().settleHold("o-1")
        .release("o-1", 5);
    assertThat(Stock.decode(stock.encode())).isEqualTo(stock);
  }

  @Test
  @DisplayName("survives encoding when everything is zero (an empty protobuf value)")
  void encodingOfNothing() {
    assertThat(Stock.decode(Stock.of(0).encode())).isEqualTo(Stock.of(0));
  }

  @Test
  @DisplayName("reads a value stored as JSON by an earlier version")
  void readsEarlierJson() {
    byte[] stored = """
        {"available":6,"reserved":4,"holds":{"o-1":3},"returns":{"o-2":1}}"""
        .getBytes(StandardCharsets.UTF_8);
    assertThat(Stock.decode(stored)).isEqualTo(new Stock(6, 4, Map.of("o-1", 3L), Map.of("o-2", 1L)));
  }
}
