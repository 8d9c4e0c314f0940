package dev.orderflow.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The products on sale: their prices (which orders uses, never the client's) and their stock at first start
 * (which inventory seeds once). One currency for the whole catalogue.
 */
public final class Catalogue {

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  /** SKUs key the stock records and appear in subjects: letters, digits, '-' and '_'. */
  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** One product. Prices are in minor units of the catalogue's currency. */
  public record Item(String sku, String name, long unitPriceMinor, long initialStock) {}

  private final String currency;
  private final Map<String, Item> items;

  Catalogue(String currency, Map<String, Item> items) {
    this.currency = currency;
    this.items = Map.copyOf(items);
  }

  /** The ISO-4217 code of every price. */
  public String currency() {
    return currency;
  }

  public Optional<Item> item(String sku) {
    return Optional.ofNullable(items.get(sku));
  }

  public Collection<Item> items() {
    return items.values();
  }

  static Catalogue fromJson(JsonObject json, String source) {
    String currency = Settings.at(json, source + ": ").string("currency");
    if (!CURRENCY.matcher(currency).matches()) {
      throw new ConfigException(source + ": currency must be an ISO-4217 code such as EUR, was '" + currency + "'");
    }
    JsonArray list = json.getJsonArray("items");
    if (list == null || list.isEmpty()) {
      throw new ConfigException(source + ": items must list at least one product");
    }
    Map<String, Item> items = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject element)) {
        throw new ConfigException(source + ": items[" + i + "] must be a JSON object");
      }
      Settings item = Settings.at(element, source + ": items[" + i + "].");
      Item parsed = new Item(
          item.string("sku"),
          item.string("name"),
          // Above zero: payments cannot charge an order that costs nothing, so such an order could never ship.
          item.integer("unitPriceMinor", 1, Long.MAX_VALUE),
          item.integer("initialStock", 0, Long.MAX_VALUE / 2));
      if (!SKU.matcher(parsed.sku()).matches()) {
        throw new ConfigException(source + ": items[" + i + "].sku must be 1 to 64 letters, digits, '-' or '_', was '"
            + parsed.sku() + "'");
      }
      if (items.put(parsed.sku(), parsed) != null) {
        throw new ConfigException(source + ": items[" + i + "].sku '" + parsed.sku() + "' appears twice");
      }
    }
    return new Catalogue(currency, items);
  }
}
