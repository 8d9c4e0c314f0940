package dev.orderflow.gateway;

import dev.orderflow.config.GatewayConfig;
import io.vertx.core.json.JsonObject;

/**
 * How the simulator misbehaves right now.
 *
 * @param latencyMs delay before every answer
 * @param errorRate share of charge requests answered 500 before anything is charged
 * @param declineRate share of new charges declined
 * @param outage when true every charge request is answered 503
 */
record Faults(long latencyMs, double errorRate, double declineRate, boolean outage) {

  static Faults from(GatewayConfig config) {
    return new Faults(config.latency().toMillis(), config.errorRate(), config.declineRate(), false);
  }

  /** These faults with the fields present in {@code json} changed; throws IllegalArgumentException when invalid. */
  Faults with(JsonObject json) {
    Faults next = new Faults(
        json.getLong("latencyMs", latencyMs),
        json.getDouble("errorRate", errorRate),
        json.getDouble("declineRate", declineRate),
        json.getBoolean("outage", outage));
    if (next.latencyMs < 0 || next.latencyMs > 600_000) {
      throw new IllegalArgumentException("latencyMs must be between 0 and 600000");
    }
    if (!(next.errorRate >= 0 && next.errorRate <= 1) || !(next.declineRate >= 0 && next.declineRate <= 1)) {
      throw new IllegalArgumentException("errorRate and declineRate must be between 0.0 and 1.0");
    }
    return next;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("latencyMs", latencyMs)
        .put("errorRate", errorRate)
        .put("declineRate", declineRate)
        .put("outage", outage);
  }
}
