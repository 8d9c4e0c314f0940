package dev.orderflow.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the API authenticates bearer JWTs and whom it lets do what.
 *
 * <p>Keys come from one of: {@code publicKeyFile} (a PEM public key, for RS/PS/ES algorithms), {@code hmacSecret}
 * ({@code ORDERFLOW_AUTH_HMAC_SECRET} or {@code hmacSecretFile}, for HS algorithms), or {@code jwksUrl} (the identity
 * provider's key set, fetched at start and every {@code jwksRefresh}). Without any, {@code mode} decides: a
 * development mode with a generated key (only {@code development}, or {@code auto} with the embedded nats-server),
 * or a refusal to start.
 *
 * @param mode {@code auto}, {@code development} or {@code production}
 * @param issuer the {@code iss} every token must carry; empty: not checked
 * @param audience the {@code aud} values of which a token must carry one; empty: not checked
 * @param algorithm the signature algorithm of {@code publicKeyFile} and {@code hmacSecret} (e.g. RS256, ES256, HS256;
 *     empty in the configuration means HS256 with an HMAC secret, else RS256); JWKS keys name their own
 * @param customerClaim the claim that names the customer (usually {@code sub})
 * @param rolesClaim the claim that lists roles, as an array or a space-separated string; dots reach into objects
 *     (e.g. {@code realm_access.roles})
 * @param operatorRole the role that may read any order and the inventory
 * @param leeway clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}
 * @param metricsAccess {@code open}, or {@code operator} (GET /metrics needs an operator token)
 * @param devTokenTtl how long the demo tokens of development mode stay valid
 * @param maxTokenLifetime the longest a token may be valid for, from its {@code iat} (or from now, without one) to
 *     its {@code exp}; a token issued for longer is refused; zero: no limit
 */
public record AuthConfig(
    String mode,
    String issuer,
    List<String> audience,
    String algorithm,
    String publicKeyFile,
    Secret hmacSecret,
    String jwksUrl,
    Duration jwksRefresh,
    String customerClaim,
    String rolesClaim,
    String operatorRole,
    Duration leeway,
    String metricsAccess,
    Duration devTokenTtl,
    Duration maxTokenLifetime) {

  public static final String AUTO = "auto";
  public static final String DEVELOPMENT = "development";
  public static final String PRODUCTION = "production";

  public AuthConfig {
    audience = List.copyOf(audience);
  }

  /** Whether any source of keys is configured. */
  public boolean hasKeys() {
    return !publicKeyFile.isEmpty() || hmacSecret.present() || !jwksUrl.isEmpty();
  }

  /** Whether to run with a generated key: no keys, and development allowed (see the class documentation). */
  public boolean development(boolean embeddedNats) {
    if (hasKeys()) {
      return false;
    }
    if (mode.equals(DEVELOPMENT) || (mode.equals(AUTO) && embeddedNats)) {
      return true;
    }
    throw new ConfigException("auth: no keys to check bearer tokens with, and this is a production configuration ("
        + (mode.equals(PRODUCTION) ? "auth.mode is production" : "a NATS URL is configured")
        + "). Set auth.publicKeyFile (ORDERFLOW_AUTH_PUBLIC_KEY_FILE), auth.jwksUrl (ORDERFLOW_AUTH_JWKS_URL) or an "
        + "HMAC secret (ORDERFLOW_AUTH_HMAC_SECRET or auth.hmacSecretFile); or, only on a development machine, "
        + "auth.mode=development (ORDERFLOW_AUTH_MODE)");
  }

  static AuthConfig from(Settings s, Map<String, String> environment) {
    Secret hmacSecret = Secret.read(environment, "ORDERFLOW_AUTH_HMAC_SECRET", s, "hmacSecretFile");
    String algorithm = s.string("algorithm");
    AuthConfig config = new AuthConfig(
        s.oneOf("mode", Set.of(AUTO, DEVELOPMENT, PRODUCTION)),
        s.string("issuer"),
        s.list("audience"),
        algorithm.isEmpty() ? (hmacSecret.present() ? "HS256" : "RS256") : algorithm,
        s.string("publicKeyFile"),
        hmacSecret,
        s.string("jwksUrl"),
        Duration.ofMinutes(s.integer("jwksRefreshMinutes", 1, 24 * 60)),
        s.string("customerClaim"),
        s.string("rolesClaim"),
        s.string("operatorRole"),
        Duration.ofSeconds(s.integer("leewaySeconds", 0, 600)),
        s.oneOf("metricsAccess", Set.of("open", "operator")),
        Duration.ofHours(s.integer("devTokenHours", 1, 24 * 30)),
        Duration.ofMinutes(s.integer("maxTokenLifetimeMinutes", 0, 366 * 24 * 60)));
    int sources = (config.publicKeyFile.isEmpty() ? 0 : 1) + (config.hmacSecret.present() ? 1 : 0)
        + (config.jwksUrl.isEmpty() ? 0 : 1);
    if (sources > 1) {
      throw new ConfigException("auth: configure one source of keys (publicKeyFile, an HMAC secret or jwksUrl), not "
          + sources);
    }
    if (config.hmacSecret.present() && !config.algorithm.startsWith("HS")) {
      throw new ConfigException("auth.algorithm must be HS256, HS384 or HS512 with an HMAC secret, was "
          + config.algorithm);
    }
    if (config.hmacSecret.present() && config.hmacSecret.reveal().length() < 32) {
      throw new ConfigException("auth: the HMAC secret from " + config.hmacSecret.source()
          + " is shorter than 32 characters; use a long random secret");
    }
    if (config.customerClaim.isEmpty() || config.operatorRole.isEmpty()) {
      throw new ConfigException("auth.customerClaim and auth.operatorRole must not be empty");
    }
    return config;
  }
}
