package dev.orderflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Configuration")
class ConfigTest {

  private static JsonObject defaults() throws Exception {
    return Buffer.buffer(Files.readAllBytes(Path.of(ConfigLoader.DEFAULTS))).toJsonObject();
  }

  private static Catalogue catalogue() throws Exception {
    return Catalogue.fromJson(Buffer.buffer(Files.readAllBytes(Path.of("conf/catalogue.json"))).toJsonObject(), "c");
  }

  @Test
  @DisplayName("reads the shipped defaults: every role, the embedded nats-server, port 8080")
  void defaultsAreValid() throws Exception {
    OrderflowConfig config = ConfigLoader.from(defaults(), catalogue());
    assertThat(config.roles()).containsExactlyInAnyOrder(Role.values());
    assertThat(config.nats().embedded()).isTrue();
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.gateway().port()).isEqualTo(8090);
  }

  @Test
  @DisplayName("ships a catalogue with a sold-out SKU, for the out-of-stock path")
  void catalogueHasSoldOutSku() throws Exception {
    assertThat(catalogue().items()).anyMatch(item -> item.initialStock() == 0);
  }

  @Test
  @DisplayName("refuses a free product (an order of it could never be charged) and API limits past what consumers "
      + "accept")
  void eventLimits() throws Exception {
    JsonObject free = new JsonObject().put("currency", "EUR").put("items", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("sku", "GIFT").put("name", "Gift").put("unitPriceMinor", 0).put("initialStock", 1)));
    assertThatThrownBy(() -> Catalogue.fromJson(free, "catalogue.json"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unitPriceMinor must be between 1 and");
    JsonObject json = defaults();
    json.getJsonObject("http").put("maxOrderLines", 501);
    assertThatThrownBy(() -> ConfigLoader.from(json, catalogue()))
        .isInstanceOf(ConfigException.class).hasMessage("http.maxOrderLines must be between 1 and 500, was 501");
  }

  @Test
  @DisplayName("stops with a message naming the setting when a value is out of range")
  void outOfRange() throws Exception {
    JsonObject json = defaults();
    json.getJsonObject("http").put("port", 70000);
    assertThatThrownBy(() -> ConfigLoader.from(json, catalogue()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("http.port must be between 0 and 65535, was 70000");
  }

  @Test
  @DisplayName("stops with a message naming an unknown role")
  void unknownRole() throws Exception {
    JsonObject json = defaults().put("roles", "orders,billing");
    assertThatThrownBy(() -> ConfigLoader.from(json, catalogue()))
        .hasMessageContaining("unknown role 'billing'");
  }

  @Test
  @DisplayName("moves the event loops' socket I/O with io_uring by default, or the transport named; no other")
  void transport() throws Exception {
    assertThat(ConfigLoader.from(defaults(), catalogue()).transport()).isEqualTo(NetworkTransport.IO_URING);
    assertThat(ConfigLoader.from(defaults().put("transport", "epoll"), catalogue()).transport())
        .isEqualTo(NetworkTransport.EPOLL);
    assertThatThrownBy(() -> ConfigLoader.from(defaults().put("transport", "kqueue"), catalogue()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("transport must be io_uring, epoll or nio, was 'kqueue'");
  }

  @Test
  @DisplayName("accepts numbers given as strings, as environment variables give them")
  void numbersAsStrings() throws Exception {
    JsonObject json = defaults();
    json.getJsonObject("http").put("port", "9090");
    assertThat(ConfigLoader.from(json, catalogue()).http().port()).isEqualTo(9090);
  }

  @Test
  @DisplayName("doubles the redelivery backoff from its initial value up to its maximum")
  void backoff() {
    ConsumerConfig consumers = new ConsumerConfig(10, 10, Duration.ofSeconds(30), 10,
        Duration.ofMillis(100), Duration.ofSeconds(1));
    assertThat(consumers.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(consumers.backoff(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(consumers.backoff(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(consumers.backoff(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(consumers.backoff(500)).isEqualTo(Duration.ofSeconds(1));
  }
}
