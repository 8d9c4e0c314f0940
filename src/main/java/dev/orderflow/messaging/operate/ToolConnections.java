package dev.orderflow.messaging.operate;

import dev.orderflow.broker.EmbeddedNatsServer;
import dev.orderflow.config.ConfigLoader;
import dev.orderflow.config.NatsSecurityConfig;
import dev.orderflow.config.OrderflowConfig;
import dev.orderflow.config.Secret;
import dev.orderflow.messaging.nats.NatsSecurity;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The NATS connection of an operator's tool (the audit, the dead-letter desk): short-lived, so it fails fast
 * instead of reconnecting. It presents the credentials and TLS settings the service would, read from the same
 * configuration ({@code ORDERFLOW_CONFIG}, the {@code ORDERFLOW_NATS_*} variables and secret files): a tool run
 * beside the service, with its environment, reaches a NATS that keeps out everyone else. With none configured and
 * no NATS URL (the embedded default), that is the token the embedded server made at its start, from the data
 * folder ({@code ORDERFLOW_DATA_DIR}). Credentials in the URL itself win over both.
 */
public final class ToolConnections {

  /** Loaded on the first connection: a tool's configuration does not change while it runs. */
  private static volatile NatsSecurityConfig security;

  private ToolConnections() {}

  /** Connects to {@code url} (comma-separated servers) within 5 s, or fails. */
  public static Connection open(String url) throws IOException, InterruptedException {
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
      OrderflowConfig config = ConfigLoader.loadNow(new JsonObject());
      loaded = config.natsSecurity();
      Path token = EmbeddedNatsServer.tokenFile(config.dataDir());
      if (!loaded.hasCredentials() && config.nats().embedded() && Files.isReadable(token)) {
        try {
          loaded = loaded.withToken(Secret.of(Files.readString(token).strip(), "file " + token));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the embedded nats-server's token in " + token, e);
        }
      }
      security = loaded;
    }
    return loaded;
  }
}
