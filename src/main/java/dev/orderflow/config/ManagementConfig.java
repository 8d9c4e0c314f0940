package dev.orderflow.config;

/**
 * A separate listener for {@code /metrics} (and the health endpoints), for example on a port that only the
 * monitoring network reaches. When disabled, {@code /metrics} is served on the API's port.
 */
public record ManagementConfig(boolean enabled, String host, int port) {

  static ManagementConfig from(Settings s) {
    return new ManagementConfig(s.bool("enabled"), s.string("host"), s.port("port"));
  }
}
