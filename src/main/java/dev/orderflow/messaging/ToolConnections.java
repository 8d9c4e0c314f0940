package dev.orderflow.messaging;

import dev.orderflow.config.ConfigLoader;
import dev.orderflow.config.NatsSecurityConfig;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;

/**
 * The NATS connection of an operator's tool (the audit, the dead-letter desk): short-lived, so it fails fast
 * instead of reconnecting. It presents the credentials and TLS settings the service would, read from the same
 * configuration ({@code ORDERFLOW_CONFIG}, the {@code ORDERFLOW_NATS_*} variables and secret files): a tool run
 * beside the service, with its environment, reaches a NATS that keeps out everyone else.
 */
final class ToolConnections {

  /** Loaded on the first connection: a tool's configuration does not change while it runs. */
  private static volatile NatsSecurityConfig security;

  private ToolConnections() {}

  /** Connects to {@code url} (comma-separated servers) within 5 s, or fails. */
  static Connection open(String url) throws IOException, InterruptedException {
    return open(url, security());
  }

  /** As {@link #open(String)}, with the given credentials and TLS settings. */
  static Connection open(String url, NatsSecurityConfig security) throws IOException, InterruptedException {
    Options.Builder options = NatsSecurity.apply(Options.builder(), security)
        .server(url).connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0);
    return Nats.connect(options.build());
  }

  private static NatsSecurityConfig security() {
    NatsSecurityConfig loaded = security;
    if (loaded == null) {
      loaded = ConfigLoader.loadNow(new JsonObject()).natsSecurity();
      security = loaded;
    }
    return loaded;
  }
}
