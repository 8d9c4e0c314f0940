/**
 * The operator's console: a web page at {@code /console} that shows the saga moving (pushed as Server-Sent Events
 * from one aggregation that every open console shares), finds an order and its timeline, lists the stuck orders, and
 * repairs dead letters; behind it, the operators' admin API ({@code /admin/dead-letters},
 * {@code /admin/orders/{id}/events}). It reads the broker through {@code messaging} and knows no bounded context.
 */
package dev.orderflow.console;
