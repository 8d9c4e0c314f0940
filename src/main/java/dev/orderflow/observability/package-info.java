/**
 * Observability set-up: the OpenTelemetry SDK (W3C trace context and baggage, OTLP export when configured), the
 * Prometheus meter registry with JVM and Vert.x metrics, and the Vert.x instance wired to both. The
 * instrumentation itself lives where the work happens: the bridge traces and measures every publish and every
 * handled message, the contexts count their business outcomes.
 */
package dev.orderflow.observability;
