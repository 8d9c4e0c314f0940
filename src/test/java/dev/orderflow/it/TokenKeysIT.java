package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Keys for API tokens")
class TokenKeysIT {

  private static NatsTestServer nats;
  private static Vertx vertx;
  private static KeyPair keys;
  private static KeyPair strangerKeys;

  @BeforeAll
  static void start() throws Exception {
    nats = NatsTestServer.start();
    vertx = Vertx.vertx();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    strangerKeys = generator.generateKeyPair();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    nats.close();
  }

  @Test
  @DisplayName("accept tokens signed with the private half of a configured PEM public key, and no others")
  void publicKeyFile() throws Exception {
    Path pem = Files.createTempFile("orderflow-public-key-", ".pem");
    Files.writeString(pem, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    JsonObject settings = new JsonObject().put("auth", new JsonObject().put("hmacSecretFile", "")
        .put("algorithm", "RS256").put("publicKeyFile", pem.toString()));
    try (TestOrderflow app = TestOrderflow.start(nats, settings)) {
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + sign(keys, null)).statusCode())
          .isEqualTo(200);
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + sign(strangerKeys, null)).statusCode())
          .isEqualTo(401);
    } finally {
      Files.deleteIfExists(pem);
    }
  }

  @Test
  @DisplayName("accept tokens signed with a key of the identity provider's JWKS, and no others")
  void jwks() throws Exception {
    RSAPublicKey publicKey = (RSAPublicKey) keys.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", "k1").put("use", "sig").put("alg", "RS256")
        .put("n", base64url(publicKey.getModulus())).put("e", base64url(publicKey.getPublicExponent()));
    HttpServer idp = vertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("keys", new JsonArray().add(jwk)).encode()))
        .listen(0, "127.0.0.1").await();
    JsonObject settings = new JsonObject().put("auth", new JsonObject().put("hmacSecretFile", "")
        .put("jwksUrl", "http://127.0.0.1:" + idp.actualPort() + "/.well-known/jwks.json"));
    try (TestOrderflow app = TestOrderflow.start(nats, settings)) {
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + sign(keys, "k1")).statusCode())
          .isEqualTo(200);
      assertThat(app.get("/inventory/MUG-LOGO", "Authorization", "Bearer " + sign(strangerKeys, "k1")).statusCode())
          .isEqualTo(401);
    } finally {
      idp.close().await();
    }
  }

  private static String sign(KeyPair pair, String kid) {
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    if (kid != null) {
      key.setId(kid);
    }
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key)).generateToken(
        new JsonObject().put("roles", new JsonArray().add("operator")),
        new JWTOptions().setAlgorithm("RS256").setSubject("olga").setIssuer(TestOrderflow.TEST_ISSUER)
            .setAudience(List.of("orderflow")).setExpiresInSeconds(600));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static String base64url(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
