package dev.orderflow.config;

import java.nio.file.Path;
import java.util.Set;

/** Everything Orderflow is configured with, validated; see {@link ConfigLoader} for where it comes from. */
public record OrderflowConfig(
    Set<Role> roles,
    Path dataDir,
    NetworkTransport transport,
    HttpConfig http,
    NatsConfig nats,
    EmbeddedNatsConfig embeddedNats,
    ConsumerConfig consumers,
    PaymentsConfig payments,
    GatewayConfig gateway,
    ObservabilityConfig observability,
    Catalogue catalogue,
    AuthConfig auth,
    LimitsConfig limits,
    ManagementConfig management,
    NatsSecurityConfig natsSecurity) {

  public OrderflowConfig {
    roles = Set.copyOf(roles);
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }
}
