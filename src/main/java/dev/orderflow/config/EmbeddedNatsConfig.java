package dev.orderflow.config;

/**
 * The local nats-server started when no NATS URL is configured.
 *
 * @param executable path of the nats-server binary; empty means tools/bin/nats-server, then PATH
 * @param syncInterval JetStream's {@code sync_interval} ("always" fsyncs before every acknowledgement);
 *     empty keeps the server's default
 */
public record EmbeddedNatsConfig(String executable, String host, int port, String syncInterval) {

  static EmbeddedNatsConfig from(Settings s) {
    return new EmbeddedNatsConfig(s.string("executable"), s.string("host"), s.port("port"), s.string("syncInterval"));
  }
}
