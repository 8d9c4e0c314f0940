package dev.orderflow.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API key of services that tests start as processes of their own (the fault suite's workers): an HMAC secret
 * they get by environment ({@link #ENVIRONMENT}), as a production deployment would, and HS256 tokens signed with
 * it for the default audience. A run with {@code ORDERFLOW_NATS_URL} is production mode and needs keys.
 */
public final class TestTokens {

  /** The environment variable the service reads its HMAC secret from. */
  public static final String ENVIRONMENT = "ORDERFLOW_AUTH_HMAC_SECRET";
  /** A secret for test processes only; never a deployment's. */
  public static final String SECRET = "test-only-hmac-secret-for-orderflow-worker-processes";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private TestTokens() {}

  /** An operator's token, valid for a day: reads every order and the inventory, places orders for anyone. */
  public static String operator() {
    return token("test-operator", true);
  }

  /** A token of customer {@code subject} (an operator too if asked), valid for a day. */
  public static String token(String subject, boolean operator) {
    long now = Instant.now().getEpochSecond();
    String claims = "{\"sub\":\"" + subject + "\",\"aud\":\"orderflow\",\"iat\":" + now + ",\"exp\":" + (now + 86_400)
        + (operator ? ",\"roles\":[\"operator\"]" : "") + "}";
    String signingInput = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + encode(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
