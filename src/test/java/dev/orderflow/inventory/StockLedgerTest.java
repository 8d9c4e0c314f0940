package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.events.v1.OrderLine;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The stock ledger")
class StockLedgerTest {

  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  @DisplayName("moves reserved units from available to reserved, and a release moves them back")
  void reserveAndRelease() {
    Stock stock = new Stock(10, 0);
    Stock reserved = stock.reserve(4).orElseThrow();
    assertThat(reserved).isEqualTo(new Stock(6, 4));
    assertThat(reserved.release(4)).isEqualTo(stock);
  }

  @Test
  @DisplayName("refuses to reserve more than is available, down to the last unit")
  void neverOversells() {
    assertThat(new Stock(3, 0).reserve(3)).contains(new Stock(0, 3));
    assertThat(new Stock(3, 0).reserve(4)).isEmpty();
    assertThat(new Stock(0, 7).reserve(1)).isEmpty();
  }

  @Test
  @DisplayName("refuses to release more than is reserved")
  void neverReleasesWhatIsNotHeld() {
    assertThatThrownBy(() -> new Stock(5, 2).release(3)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("survives encoding unchanged")
  void encoding() {
    assertThat(Stock.decode(new Stock(123, 45).encode())).isEqualTo(new Stock(123, 45));
  }

  @Test
  @DisplayName("plans one line per SKU, in SKU order, adding up repeated SKUs")
  void plan() {
    List<Reservation.Line> plan = Reservation.plan(List.of(line("MUG", 1), line("CAP", 2), line("MUG", 3)));
    assertThat(plan).containsExactly(new Reservation.Line("CAP", 2), new Reservation.Line("MUG", 4));
  }

  @Test
  @DisplayName("releases a reservation once: only a held reservation starts releasing, only a releasing one ends")
  void releaseOnce() {
    Reservation reserved = Reservation.reserved("o-1", List.of(new Reservation.Line("MUG", 2)), NOW);
    Reservation released = reserved.releasing(NOW).released(NOW);
    assertThat(released.status()).isEqualTo(Reservation.Status.RELEASED);
    assertThatThrownBy(() -> released.releasing(NOW)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> reserved.released(NOW)).isInstanceOf(IllegalStateException.class);
    Reservation rejected = Reservation.rejected("o-2", List.of(), List.of("MUG"), NOW);
    assertThatThrownBy(() -> rejected.releasing(NOW)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("keeps every field of a reservation through encoding")
  void reservationEncoding() {
    Reservation rejected = Reservation.rejected("o-2", List.of(new Reservation.Line("MUG", 2)), List.of("MUG"), NOW);
    assertThat(Reservation.decode(rejected.encode())).isEqualTo(rejected);
  }

  private static OrderLine line(String sku, int quantity) {
    return OrderLine.newBuilder().setSku(sku).setQuantity(quantity).build();
  }
}
