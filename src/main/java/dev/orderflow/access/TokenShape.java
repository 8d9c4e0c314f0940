package dev.orderflow.access;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Checks of a bearer token that vertx-auth-jwt does not make. */
final class TokenShape {

  private TokenShape() {}

  /**
   * Whether the token's header names critical extensions ({@code crit}). None is understood here, so such a token
   * must be refused (RFC 7515 §4.1.11); a header that cannot be read is left to the verifier to refuse.
   */
  static boolean critical(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    try {
      byte[] header = Base64.getUrlDecoder().decode(token.substring(0, dot));
      return new JsonObject(new String(header, StandardCharsets.UTF_8)).containsKey("crit");
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /**
   * Whether the verified {@code claims} are valid for at most {@code max} (zero: no limit): from {@code iat} when the
   * token has one, else from {@code now} (epoch seconds), to {@code exp}.
   */
  static boolean lifetimeWithin(JsonObject claims, Duration max, long now) {
    if (max.isZero()) {
      return true;
    }
    long expiry = ((Number) claims.getValue("exp")).longValue();
    long issued = claims.getValue("iat") instanceof Number iat ? iat.longValue() : now;
    return expiry - issued <= max.toSeconds();
  }
}
