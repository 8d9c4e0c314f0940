package dev.orderflow.messaging;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;

/**
 * The NATS connection of an operator's tool (the audit, the dead-letter desk): short-lived, so it fails fast
 * instead of reconnecting. Like those tools, it does not yet present credentials or TLS (see the README).
 */
final class ToolConnections {

  private ToolConnections() {}

  /** Connects to {@code url} (comma-separated servers) within 5 s, or fails. */
  static Connection open(String url) throws IOException, InterruptedException {
    return Nats.connect(Options.builder().server(url).connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0)
        .build());
  }
}
