package dev.orderflow.access;

import dev.orderflow.config.AuthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Development mode, for the one-command default only: a signing key generated at start (it lives only in this
 * process, so tokens die with it) and demo tokens for customers {@code alice} and {@code bob} and for an operator,
 * logged and written to {@code <dataDir>/dev-tokens/<name>} so that a curl line can read them.
 */
final class DevelopmentKeys {

  private static final Logger LOG = LoggerFactory.getLogger(DevelopmentKeys.class);
  private static final String ALGORITHM = "HS256";
  private static final String DEV_ISSUER = "orderflow-development";

  private DevelopmentKeys() {}

  /**
   * The verifier of this process's tokens, and the demo tokens by name ({@code alice}, {@code bob},
   * {@code operator}).
   */
  record Started(JWTAuth verifier, Map<String, String> tokens) {}

  static Started start(Vertx vertx, AuthConfig config, Path dataDir) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    JWTOptions verification = ApiAuthentication.verification(config);
    Duration valid = config.maxTokenLifetime().isZero() || config.maxTokenLifetime().compareTo(config.devTokenTtl()) > 0
        ? config.devTokenTtl() : config.maxTokenLifetime();
    String issuer = config.issuer().isEmpty() ? DEV_ISSUER : config.issuer();
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM)
            .setBuffer(Base64.getUrlEncoder().withoutPadding().encodeToString(key)))
        .setJWTOptions(verification));
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("alice", token(auth, config, valid, issuer, "alice", false));
    tokens.put("bob", token(auth, config, valid, issuer, "bob", false));
    tokens.put("operator", token(auth, config, valid, issuer, "operator", true));
    Path folder = dataDir.resolve("dev-tokens").toAbsolutePath();
    write(folder, tokens);
    StringBuilder banner = new StringBuilder()
        .append("DEVELOPMENT MODE: no keys for API tokens are configured, so this process signs its own ")
        .append("with a key made ")
        .append("at start-up (tokens die with the process). Never run like this in production: configure ")
        .append("auth.publicKeyFile, auth.jwksUrl or ORDERFLOW_AUTH_HMAC_SECRET (see the README, Security).\n")
        .append("Demo tokens, valid ").append(valid.toMinutes() % 60 == 0 ? valid.toHours() + " h" : valid.toMinutes()
            + " min").append(", also in ").append(folder)
        .append("/:\n");
    tokens.forEach((name, token) -> banner.append("  ").append(name).append(": ").append(token).append('\n'));
    banner.append("Try: curl -H \"Authorization: Bearer $(cat ").append(folder).append("/alice)\" ...");
    LOG.warn("{}", banner);
    return new Started(auth, Map.copyOf(tokens));
  }

  private static String token(JWTAuth auth, AuthConfig config, Duration valid, String issuer, String subject,
      boolean operator) {
    JsonObject claims = new JsonObject();
    if (operator) {
      claims.put(config.rolesClaim().isEmpty() ? "roles" : config.rolesClaim(),
          new JsonArray().add(config.operatorRole()));
    }
    JWTOptions options = new JWTOptions()
        .setAlgorithm(ALGORITHM)
        .setSubject(subject)
        .setIssuer(issuer)
        .setExpiresInSeconds((int) valid.toSeconds());
    config.audience().forEach(options::addAudience);
    if (!config.customerClaim().equals("sub") && !operator) {
      claims.put(config.customerClaim(), subject);
    }
    return auth.generateToken(claims, options);
  }

  /**
   * Writes each token into a file that is readable by this user only from the moment it exists: a new file created
   * with those permissions, then moved over the old one (so a link planted in its place is replaced, not followed).
   */
  private static void write(Path folder, Map<String, String> tokens) {
    boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (posix) {
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
            "rwx------")));
      } else {
        Files.createDirectories(folder); // Windows: the data folder's own permissions apply
      }
      for (Map.Entry<String, String> token : tokens.entrySet()) {
        Path file = folder.resolve(token.getKey());
        Path fresh = posix
            ? Files.createTempFile(folder, token.getKey() + ".", ".new",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(folder, token.getKey() + ".", ".new");
        try {
          Files.writeString(fresh, token.getValue());
          Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(fresh);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the development tokens to " + folder, e);
    }
  }
}
