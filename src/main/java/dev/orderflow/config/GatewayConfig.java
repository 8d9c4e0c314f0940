package dev.orderflow.config;

import java.time.Duration;

/**
 * The payment gateway simulator's listener and its initial behaviour (changeable at run time through
 * {@code PUT /v1/faults}).
 *
 * @param errorRate share of charge requests answered with a 500
 * @param declineRate share of charges declined
 * @param faultsToken the simulator's bearer token (named for its first use, the fault switch): when present every
 *     request needs it; none: {@code /v1/faults} answers only callers on this machine (loopback, with a loopback Host)
 */
public record GatewayConfig(String host, int port, Duration latency, double errorRate, double declineRate,
    Secret faultsToken) {

  static GatewayConfig from(Settings s, java.util.Map<String, String> environment) {
    return new GatewayConfig(
        s.string("host"), s.port("port"), s.millis("latencyMs"), s.ratio("errorRate"), s.ratio("declineRate"),
        Secret.read(environment, "ORDERFLOW_GATEWAY_FAULTS_TOKEN", s, "faultsTokenFile"));
  }
}
