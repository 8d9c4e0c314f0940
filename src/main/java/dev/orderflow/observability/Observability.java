package dev.orderflow.observability;

import dev.orderflow.config.NetworkTransport;
import dev.orderflow.config.ObservabilityConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracer and the meter registry of one process, and the Vert.x instance that reports to both (HTTP server
 * and client spans, HTTP, event-loop and JVM metrics).
 */
public final class Observability implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  private final OpenTelemetry openTelemetry;
  private final AutoCloseable sdk;
  /** Latency buckets for the HTTP server's response time, from a fast answer to a timeout. */
  private static final double[] HTTP_BUCKETS_SECONDS =
      {0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Observability(OpenTelemetry openTelemetry, AutoCloseable sdk) {
    this.openTelemetry = openTelemetry;
    this.sdk = sdk;
    // A histogram for the API's response time only: Vert.x's own option would give every timer and size
    // distribution ~70 buckets, and /metrics would grow to hundreds of kilobytes.
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals("vertx.http.server.response.time")) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .serviceLevelObjectives(Arrays.stream(HTTP_BUCKETS_SECONDS).map(s -> s * 1e9).toArray())
            .build()
            .merge(config);
      }
    });
  }

  /**
   * Sets up OpenTelemetry from {@code config} and the standard {@code OTEL_*} environment variables (which win):
   * spans are recorded and exported over OTLP only when an endpoint is configured.
   */
  public static Observability create(ObservabilityConfig config) {
    String endpoint = firstNonBlank(System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), config.otlpEndpoint());
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", config.serviceName());
    defaults.put("otel.traces.exporter", endpoint.isEmpty() ? "none" : "otlp");
    if (!config.otlpEndpoint().isEmpty()) {
      defaults.put("otel.exporter.otlp.endpoint", config.otlpEndpoint());
    }
    // Spans nobody exports are not recorded (their context still propagates, so logs keep their trace ids).
    defaults.put("otel.traces.sampler", endpoint.isEmpty() ? "parentbased_always_off" : "parentbased_traceidratio");
    defaults.put("otel.traces.sampler.arg", Double.toString(config.sampleRatio()));
    defaults.put("otel.propagators", "tracecontext,baggage");
    // Metrics go to Prometheus through Micrometer, logs to the console.
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new Observability(sdk, sdk);
  }

  /** Uses a ready-made OpenTelemetry (tests pass one with an in-memory exporter); the caller closes it. */
  public static Observability using(OpenTelemetry openTelemetry) {
    return new Observability(openTelemetry, () -> { });
  }

  /**
   * A Vert.x instance that traces with this OpenTelemetry, measures into this registry and moves its sockets' I/O
   * with {@code transport}, or with the next one down where the kernel, a container's seccomp profile or the
   * platform does not allow it.
   */
  public Vertx vertx(NetworkTransport transport) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Registries are shared by name inside vertx-micrometer-metrics; each process here has its own.
        .setRegistryName("orderflow-" + REGISTRIES.incrementAndGet())
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    return Vertx.builder()
        .withTransport(transport(transport))
        .with(new VertxOptions()
            .setMetricsOptions(metrics)
            .setTracingOptions(new OpenTelemetryOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withTracer(new OpenTelemetryTracingFactory(openTelemetry))
        .build();
  }

  /**
   * Vert.x's transport for {@code wanted}, or the next one down (io_uring, epoll, NIO) that this kernel, container
   * and platform allow: Netty's native libraries here are for Linux x86-64, and a container's seccomp profile may
   * forbid io_uring.
   */
  private static Transport transport(NetworkTransport wanted) {
    NetworkTransport[] order = NetworkTransport.values();
    for (int i = wanted.ordinal(); i < order.length; i++) {
      Transport transport = vertxTransport(order[i]);
      if (transport != null && transport.available()) {
        if (order[i] == wanted) {
          LOG.info("network transport: {}", wanted.label());
        } else {
          LOG.warn("the {} transport is not available here ({}); using {}", wanted.label(), whyNot(wanted),
              order[i].label());
        }
        return transport;
      }
    }
    return Transport.NIO; // not reached: NIO is the last in the order and always available
  }

  /** Vert.x's transport for {@code transport}; {@code null} where its Netty classes are missing. */
  private static Transport vertxTransport(NetworkTransport transport) {
    return switch (transport) {
      case IO_URING -> Transport.IO_URING;
      case EPOLL -> Transport.EPOLL;
      case NIO -> Transport.NIO;
    };
  }

  private static String whyNot(NetworkTransport transport) {
    Transport unavailable = vertxTransport(transport);
    Throwable cause = unavailable == null ? null : unavailable.unavailabilityCause();
    return cause == null ? "its library did not load" : cause.toString();
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() throws Exception {
    registry.close();
    sdk.close();
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return "";
  }
}
