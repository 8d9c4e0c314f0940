package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A batch of stock changes on one working copy")
class StockDraftTest {

  @Test
  @DisplayName("comes to the same stock as the same changes applied one by one")
  void sameAsOneByOne() {
    Stock start = Stock.of(10).reserve("o-0", 2).stock();
    Stock oneByOne = start.reserve("o-1", 3).stock().reserve("o-2", 6).stock().unreserve("o-0").settleHold("o-1")
        .release("o-1", 3).settleReturn("o-1");

    StockDraft draft = start.draft();
    assertThat(draft.reserve("o-1", 3)).isTrue();
    assertThat(draft.reserve("o-2", 6)).isFalse();
    draft.unreserve("o-0");
    draft.settleHold("o-1");
    draft.release("o-1", 3);
    draft.settleReturn("o-1");

    assertThat(draft.build()).isEqualTo(oneByOne);
    assertThat(start).isEqualTo(Stock.of(10).reserve("o-0", 2).stock()); // the original is untouched
  }

  @Test
  @DisplayName("answers a reservation applied earlier in the same batch as held, without taking it twice")
  void repeatWithinTheBatch() {
    StockDraft draft = Stock.of(5).draft();
    assertThat(draft.reserve("o-1", 4)).isTrue();
    assertThat(draft.reserve("o-1", 4)).isTrue();
    assertThat(draft.build().available()).isEqualTo(1);
  }

  @Test
  @DisplayName("names who made each hold; settling forgets the hold the record names and gives back any other")
  void holders() {
    Stock first = Stock.of(10).reserve("o-1", 3, "e-first").stock();
    assertThat(first.reserve("o-1", 3, "e-second").holder()).as("a repeat keeps the first hold").isEqualTo("e-first");
    assertThat(Stock.decode(first.encode())).isEqualTo(first);

    assertThat(first.settleHold("o-1", "e-first")).isEqualTo(new Stock(7, 3, Map.of(), Map.of()));
    assertThat(first.settleHold("o-1", "e-second")).as("a hold the record does not stand for").isEqualTo(Stock.of(10));
    assertThat(first.settleHold("o-2", "e-first")).as("no hold of that order").isEqualTo(first);
  }

  @Test
  @DisplayName("refuses one change without touching the copy, and the rest of the batch goes ahead")
  void refusedChangeChangesNothing() {
    StockDraft draft = Stock.of(5).draft();
    assertThatThrownBy(() -> draft.release("o-1", 3)).isInstanceOf(IllegalStateException.class);
    assertThat(draft.changed()).isFalse();
    assertThat(draft.reserve("o-2", 5)).isTrue();
    assertThat(draft.build()).isEqualTo(Stock.of(5).reserve("o-2", 5).stock());
  }

  @Test
  @DisplayName("reports a batch of repeats as no change, and builds the original itself")
  void repeatsChangeNothing() {
    Stock settled = Stock.of(10).reserve("o-1", 4).stock().settleHold("o-1").release("o-1", 4).settleReturn("o-1");
    Stock held = Stock.of(10).reserve("o-2", 4).stock();
    StockDraft draft = held.draft();
    draft.reserve("o-2", 4);
    draft.settleReturn("o-2");
    draft.unreserve("o-3");
    assertThat(draft.changed()).isFalse();
    assertThat(draft.build()).isSameAs(held);
    assertThat(settled).isEqualTo(Stock.of(10));
  }
}
