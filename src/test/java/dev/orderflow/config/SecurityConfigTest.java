package dev.orderflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The security configuration")
class SecurityConfigTest {

  private static final String SECRET = "a-long-enough-hmac-secret-for-the-test-0123456789";

  @TempDir
  Path folder;

  private static JsonObject defaults() throws Exception {
    return Buffer.buffer(Files.readAllBytes(Path.of(ConfigLoader.DEFAULTS))).toJsonObject();
  }

  private static OrderflowConfig load(JsonObject json, Map<String, String> environment) throws Exception {
    Catalogue catalogue = Catalogue.fromJson(
        Buffer.buffer(Files.readAllBytes(Path.of("conf/catalogue.json"))).toJsonObject(), "c");
    return ConfigLoader.from(json, catalogue, environment);
  }

  @Test
  @DisplayName("reads secrets from environment variables, or else from files, and never shows them")
  void secrets() throws Exception {
    Path file = folder.resolve("password");
    Files.writeString(file, "from-a-file\n");
    JsonObject json = defaults();
    json.getJsonObject("nats").getJsonObject("auth").put("user", "orderflow").put("passwordFile", file.toString());
    OrderflowConfig fromFile = load(json, Map.of());
    assertThat(fromFile.natsSecurity().password().reveal()).isEqualTo("from-a-file");
    assertThat(fromFile.natsSecurity().toString()).doesNotContain("from-a-file").contains("file " + file);

    OrderflowConfig fromEnvironment = load(json, Map.of("ORDERFLOW_NATS_PASSWORD", "from-the-environment",
        "ORDERFLOW_AUTH_HMAC_SECRET", SECRET));
    assertThat(fromEnvironment.natsSecurity().password().reveal()).isEqualTo("from-the-environment");
    assertThat(fromEnvironment.auth().hmacSecret().reveal()).isEqualTo(SECRET);
    assertThat(fromEnvironment.toString()).doesNotContain("from-the-environment").doesNotContain(SECRET);
  }

  @Test
  @DisplayName("has no maximum token lifetime by default; one is whole minutes, and a bad one names the setting")
  void maxTokenLifetime() throws Exception {
    assertThat(load(defaults(), Map.of()).auth().maxTokenLifetime()).isZero();
    JsonObject capped = defaults();
    capped.getJsonObject("auth").put("maxTokenLifetimeMinutes", 15);
    assertThat(load(capped, Map.of()).auth().maxTokenLifetime()).hasMinutes(15);
    capped.getJsonObject("auth").put("maxTokenLifetimeMinutes", -1);
    assertThatThrownBy(() -> load(capped, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.maxTokenLifetimeMinutes");
  }

  @Test
  @DisplayName("holds each client to 256 connections by default; 0 turns it off, and a bad value names the setting")
  void maxConnectionsPerClient() throws Exception {
    assertThat(load(defaults(), Map.of()).limits().maxConnectionsPerClient()).isEqualTo(256);
    JsonObject off = defaults();
    off.getJsonObject("limits").put("maxConnectionsPerClient", 0);
    assertThat(load(off, Map.of()).limits().maxConnectionsPerClient()).isZero();
    off.getJsonObject("limits").put("maxConnectionsPerClient", "many");
    assertThatThrownBy(() -> load(off, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.maxConnectionsPerClient");
  }

  @Test
  @DisplayName("runs the embedded default in development mode, and refuses production without keys")
  void developmentOnlyByDefault() throws Exception {
    AuthConfig auth = load(defaults(), Map.of()).auth();
    assertThat(auth.development(true)).isTrue();
    assertThatThrownBy(() -> auth.development(false)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("a NATS URL is configured");
    JsonObject production = defaults();
    production.getJsonObject("auth").put("mode", "production");
    assertThatThrownBy(() -> load(production, Map.of()).auth().development(true))
        .hasMessageContaining("auth.mode is production");
    assertThat(load(defaults(), Map.of("ORDERFLOW_AUTH_HMAC_SECRET", SECRET)).auth().development(false)).isFalse();
  }

  @Test
  @DisplayName("refuses a short HMAC secret, two sources of keys, or an HMAC secret with an RSA algorithm")
  void badKeys() throws Exception {
    JsonObject hs = defaults();
    hs.getJsonObject("auth").put("algorithm", "HS256");
    assertThatThrownBy(() -> load(hs, Map.of("ORDERFLOW_AUTH_HMAC_SECRET", "short")))
        .hasMessageContaining("shorter than 32").hasMessageNotContaining("short\"");
    JsonObject two = hs.copy();
    two.getJsonObject("auth").put("jwksUrl", "https://idp.example/jwks");
    assertThatThrownBy(() -> load(two, Map.of("ORDERFLOW_AUTH_HMAC_SECRET", SECRET)))
        .hasMessageContaining("one source of keys");
    assertThat(load(defaults(), Map.of("ORDERFLOW_AUTH_HMAC_SECRET", SECRET)).auth().algorithm()).isEqualTo("HS256");
    JsonObject rsa = defaults();
    rsa.getJsonObject("auth").put("algorithm", "RS256");
    assertThatThrownBy(() -> load(rsa, Map.of("ORDERFLOW_AUTH_HMAC_SECRET", SECRET)))
        .hasMessageContaining("auth.algorithm must be HS256");
  }

  @Test
  @DisplayName("keeps the embedded nats-server on loopback")
  void embeddedOnLoopback() throws Exception {
    JsonObject json = defaults();
    json.getJsonObject("embeddedNats").put("host", "0.0.0.0");
    assertThatThrownBy(() -> load(json, Map.of())).hasMessageContaining("embeddedNats.host must be a loopback");
  }

  @Test
  @DisplayName("refuses two kinds of NATS credentials, or a user without a password")
  void natsCredentials() throws Exception {
    JsonObject json = defaults();
    json.getJsonObject("nats").getJsonObject("auth").put("user", "orderflow");
    assertThatThrownBy(() -> load(json, Map.of())).hasMessageContaining("a user needs a password");
    assertThatThrownBy(() -> load(json, Map.of("ORDERFLOW_NATS_PASSWORD", "p", "ORDERFLOW_NATS_TOKEN", "t")))
        .hasMessageContaining("one kind of credentials");
  }
}
