package dev.orderflow.config;

/**
 * The local nats-server started when no NATS URL is configured.
 *
 * @param executable path of the nats-server binary; empty means tools/bin/nats-server, then PATH
 * @param syncInterval JetStream's {@code sync_interval} ("always" fsyncs before every acknowledgement);
 *     empty keeps the server's default
 */
public record EmbeddedNatsConfig(String executable, String host, int port, String syncInterval) {

  /** The embedded server is for one machine: it has no credentials of its own, so it never listens beyond it. */
  private static final java.util.Set<String> LOOPBACK = java.util.Set.of("127.0.0.1", "::1", "localhost");

  static EmbeddedNatsConfig from(Settings s) {
    EmbeddedNatsConfig config =
        new EmbeddedNatsConfig(s.string("executable"), s.string("host"), s.port("port"), s.string("syncInterval"));
    if (!LOOPBACK.contains(config.host())) {
      throw new ConfigException("embeddedNats.host must be a loopback address (127.0.0.1, ::1 or localhost), was '"
          + config.host() + "': the embedded nats-server is for one machine; to share NATS, run a nats-server with "
          + "authorization and TLS and set ORDERFLOW_NATS_URL");
    }
    return config;
  }
}
