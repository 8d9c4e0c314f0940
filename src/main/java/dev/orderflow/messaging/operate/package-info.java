/**
 * The operator's tools on the broker, beside the adapter: the dead-letter desk (the console and
 * {@code bin/deadletters}), the topology's counts (the console), stream scans and consumer states (the audit), each
 * either on the service's connection or on a short-lived connection of its own
 * ({@link dev.orderflow.messaging.operate.ToolConnections}). Blocking: call them on a worker thread.
 */
package dev.orderflow.messaging.operate;
