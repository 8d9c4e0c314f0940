package dev.orderflow.config;

/**
 * Tracing settings. The standard {@code OTEL_*} environment variables win over these (for example
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_SAMPLER}); logs are chosen with {@code ORDERFLOW_LOG_FORMAT}.
 *
 * @param otlpEndpoint where spans are exported over OTLP; empty (and no {@code OTEL_EXPORTER_OTLP_*ENDPOINT}) means
 *     no export
 * @param sampleRatio share of new traces recorded (0.0 to 1.0); a trace that arrives sampled stays sampled
 */
public record ObservabilityConfig(String serviceName, String otlpEndpoint, double sampleRatio) {

  static ObservabilityConfig from(Settings s) {
    return new ObservabilityConfig(s.string("serviceName"), s.string("otlpEndpoint"), s.ratio("sampleRatio"));
  }
}
