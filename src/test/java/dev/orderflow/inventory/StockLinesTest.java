package dev.orderflow.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.config.Catalogue;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.events.v1.OrderLine;
import dev.orderflow.messaging.PoisonMessage;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The stock an event's lines ask for")
class StockLinesTest {

  private static final Catalogue CATALOGUE = ConfigLoader.loadNow(new JsonObject()).catalogue();

  @Test
  @DisplayName("is one line per SKU, in SKU order, adding up repeated SKUs")
  void merged() {
    List<StockLines.Line> lines = StockLines.of("OrderPlaced", "o-1",
        List.of(line("MUG-LOGO", 1), line("POSTER-A2", 2), line("MUG-LOGO", 3)), CATALOGUE);
    assertThat(lines).containsExactly(new StockLines.Line("MUG-LOGO", 4), new StockLines.Line("POSTER-A2", 2));
  }

  @Test
  @DisplayName("refuses, as poison, no lines, a SKU outside the catalogue, and a quantity below 1 or absurdly high")
  void poison() {
    assertThatThrownBy(() -> StockLines.of("OrderPlaced", "o-1", List.of(), CATALOGUE))
        .isInstanceOf(PoisonMessage.class).hasMessageContaining("no lines");
    assertThatThrownBy(() -> StockLines.of("OrderPlaced", "o-1", List.of(line("NOPE", 1)), CATALOGUE))
        .isInstanceOf(PoisonMessage.class).hasMessageContaining("not in the catalogue");
    assertThatThrownBy(() -> StockLines.of("OrderPlaced", "o-1", List.of(line("MUG-LOGO", -5)), CATALOGUE))
        .isInstanceOf(PoisonMessage.class).hasMessageContaining("-5 units");
    assertThatThrownBy(() -> StockLines.of("OrderPlaced", "o-1", List.of(line("MUG-LOGO", 0)), CATALOGUE))
        .isInstanceOf(PoisonMessage.class);
    assertThatThrownBy(() -> StockLines.of("OrderPlaced", "o-1", List.of(line("MUG-LOGO", 2_000_000)), CATALOGUE))
        .isInstanceOf(PoisonMessage.class);
  }

  private static OrderLine line(String sku, int quantity) {
    return OrderLine.newBuilder().setSku(sku).setQuantity(quantity).build();
  }
}
