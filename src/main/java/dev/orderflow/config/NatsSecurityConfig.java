package dev.orderflow.config;

import java.util.Map;

/**
 * Credentials for NATS and TLS to it. At most one kind of credentials: user and password, a token, an nkey seed, or a
 * {@code .creds} file (a user JWT and its nkey seed). Every secret comes from an environment variable or a file.
 *
 * @param user the user name (with {@code password})
 * @param nkeySeedFile unused when {@code nkeySeed} comes from the environment; kept to name it in messages
 * @param credsFile a {@code .creds} file as {@code nsc} or the account server writes it
 * @param tlsCaFile PEM certificates of the CA(s) that signed the server's certificate; setting it (or {@code tls})
 *     makes TLS required: the connection fails rather than talk in the clear
 * @param tlsCertFile PEM client certificate (chain), when the server asks for one
 * @param tlsKeyFile PEM (PKCS#8) private key of {@code tlsCertFile}
 */
public record NatsSecurityConfig(
    String user,
    Secret password,
    Secret token,
    Secret nkeySeed,
    String credsFile,
    boolean tls,
    String tlsCaFile,
    String tlsCertFile,
    String tlsKeyFile) {

  /** Whether TLS to NATS is required. */
  public boolean tlsRequired() {
    return tls || !tlsCaFile.isEmpty() || !tlsCertFile.isEmpty();
  }

  /** Whether any kind of credentials is configured. */
  public boolean hasCredentials() {
    return password.present() || token.present() || nkeySeed.present() || !credsFile.isEmpty();
  }

  /** These settings with {@code token} as the credentials, and no others. */
  public NatsSecurityConfig withToken(Secret token) {
    return new NatsSecurityConfig("", Secret.none(), token, Secret.none(), "", tls, tlsCaFile, tlsCertFile,
        tlsKeyFile);
  }

  /** No credentials and no TLS. */
  public static NatsSecurityConfig none() {
    return new NatsSecurityConfig("", Secret.none(), Secret.none(), Secret.none(), "", false, "", "", "");
  }

  static NatsSecurityConfig from(Settings nats, Map<String, String> environment) {
    Settings auth = nats.section("auth");
    Settings tls = nats.section("tls");
    NatsSecurityConfig config = new NatsSecurityConfig(
        auth.string("user"),
        Secret.read(environment, "ORDERFLOW_NATS_PASSWORD", auth, "passwordFile"),
        Secret.read(environment, "ORDERFLOW_NATS_TOKEN", auth, "tokenFile"),
        Secret.read(environment, "ORDERFLOW_NATS_NKEY_SEED", auth, "nkeySeedFile"),
        auth.string("credsFile"),
        tls.bool("enabled"),
        tls.string("caFile"),
        tls.string("certFile"),
        tls.string("keyFile"));
    int kinds = (config.user.isEmpty() && !config.password.present() ? 0 : 1) + (config.token.present() ? 1 : 0)
        + (config.nkeySeed.present() ? 1 : 0) + (config.credsFile.isEmpty() ? 0 : 1);
    if (kinds > 1) {
      throw new ConfigException("nats.auth: configure one kind of credentials (user and password, token, nkey seed or "
          + ".creds file), not " + kinds);
    }
    if (config.user.isEmpty() != !config.password.present()) {
      throw new ConfigException("nats.auth: a user needs a password (ORDERFLOW_NATS_PASSWORD or "
          + "nats.auth.passwordFile) and a password a user (nats.auth.user)");
    }
    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty()) {
      throw new ConfigException("nats.tls: certFile and keyFile go together");
    }
    return config;
  }
}
