package dev.orderflow.config;

import java.time.Duration;

/**
 * The payment gateway simulator's listener and its initial behaviour (changeable at run time through
 * {@code PUT /v1/faults}).
 *
 * @param errorRate share of charge requests answered with a 500
 * @param declineRate share of charges declined
 */
public record GatewayConfig(String host, int port, Duration latency, double errorRate, double declineRate) {

  static GatewayConfig from(Settings s) {
    return new GatewayConfig(
        s.string("host"), s.port("port"), s.millis("latencyMs"), s.ratio("errorRate"), s.ratio("declineRate"));
  }
}
