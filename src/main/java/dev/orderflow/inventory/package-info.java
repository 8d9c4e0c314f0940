/**
 * The inventory context: stock per SKU, each order's reservation, and its release when the payment does not go
 * through (compensation).
 *
 * <p>Listens to {@code OrderPlaced} (reserve), {@code PaymentDeclined} and {@code PaymentFailed} (release).
 * Emits {@code StockReserved}, {@code StockRejected}, {@code StockReleased}. Serves {@code GET /inventory/{sku}}.
 * Stock changes are compare-and-set writes on the key's revision, so any number of instances never oversell.
 */
package dev.orderflow.inventory;
