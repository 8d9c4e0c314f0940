package dev.orderflow.config;

import java.time.Duration;

/**
 * The payments context's client of the payment gateway.
 *
 * @param gatewayUrl base URL of the gateway (the simulator by default, a real provider in production)
 * @param requestTimeout the deadline of one charge request
 * @param maxConnections connections to the gateway kept open at once (charges beyond wait for one)
 * @param breakerMaxFailures failures in a row that open the circuit breaker
 * @param breakerResetTimeout how long the breaker stays open before it lets one trial call through
 */
public record PaymentsConfig(
    String gatewayUrl, Duration requestTimeout, int maxConnections, int breakerMaxFailures,
    Duration breakerResetTimeout) {

  static PaymentsConfig from(Settings s) {
    Settings breaker = s.section("breaker");
    return new PaymentsConfig(
        s.string("gatewayUrl").replaceAll("/+$", ""),
        s.positiveMillis("requestTimeoutMs"),
        s.positive("maxConnections"),
        breaker.positive("maxFailures"),
        breaker.positiveMillis("resetTimeoutMs"));
  }
}
