/**
 * The shipping context: schedules one shipment for each confirmed order.
 *
 * <p>Listens to {@code OrderConfirmed}; emits {@code ShipmentScheduled}. The shipment record, keyed by order id and
 * created atomically, makes a redelivered confirmation schedule nothing new.
 */
package dev.orderflow.shipping;
