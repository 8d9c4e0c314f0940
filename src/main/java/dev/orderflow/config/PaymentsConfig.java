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
 * @param gatewayToken the bearer token every request to the gateway carries, when present: the simulator's token
 *     ({@code ORDERFLOW_GATEWAY_FAULTS_TOKEN} or {@code gateway.faultsTokenFile}), which it then requires
 */
public record PaymentsConfig(
    String gatewayUrl, Duration requestTimeout, int maxConnections, int breakerMaxFailures,
    Duration breakerResetTimeout, Secret gatewayToken) {

  static PaymentsConfig from(Settings s, Secret gatewayToken) {
    Settings breaker = s.section("breaker");
    return new PaymentsConfig(
        s.string("gatewayUrl").replaceAll("/+$", ""),
        s.positiveMillis("requestTimeoutMs"),
        s.positive("maxConnections"),
        breaker.positive("maxFailures"),
        breaker.positiveMillis("resetTimeoutMs"),
        gatewayToken);
  }
}
