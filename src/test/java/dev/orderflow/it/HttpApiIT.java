package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The HTTP API, given bad input")
class HttpApiIT {

  private static final String JSON = "application/json";
  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  static Stream<Arguments> badOrders() {
    String fiftyOneLines = IntStream.range(0, 51).mapToObj(i -> "{\"sku\":\"MUG-LOGO\",\"quantity\":1}")
        .collect(Collectors.joining(",", "[", "]"));
    return Stream.of(
        Arguments.of("malformed JSON", JSON, "{\"customerId\": ", 400, "malformed-json", null),
        Arguments.of("a JSON array", JSON, "[1, 2]", 400, "malformed-json", null),
        Arguments.of("an empty body", JSON, "", 400, "malformed-json", null),
        Arguments.of("text/plain", "text/plain", "{}", 415, "unsupported-media-type", null),
        Arguments.of("no content type", null, "{}", 415, "unsupported-media-type", null),
        Arguments.of("a body over the limit", JSON, "{\"customerId\":\"" + "x".repeat(70_000) + "\"}", 413,
            "body-too-large", null),
        Arguments.of("an unknown SKU", JSON, "{\"customerId\":\"a\",\"items\":[{\"sku\":\"NOPE\",\"quantity\":1}]}",
            422, "invalid-order", "/items/0/sku"),
        Arguments.of("quantity 0", JSON, "{\"customerId\":\"a\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":0}]}",
            422, "invalid-order", "/items/0/quantity"),
        Arguments.of("a negative quantity", JSON,
            "{\"customerId\":\"a\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":-3}]}", 422, "invalid-order",
            "/items/0/quantity"),
        Arguments.of("a quantity that is not a number", JSON,
            "{\"customerId\":\"a\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":\"2\"}]}", 422, "invalid-order",
            "/items/0/quantity"),
        Arguments.of("too many lines", JSON, "{\"customerId\":\"a\",\"items\":" + fiftyOneLines + "}", 422,
            "invalid-order", "/items"),
        Arguments.of("no lines", JSON, "{\"customerId\":\"a\",\"items\":[]}", 422, "invalid-order", "/items"),
        Arguments.of("no customer", JSON, "{\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}", 422,
            "invalid-order", "/customerId"),
        Arguments.of("a client-side price", JSON,
            "{\"customerId\":\"a\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1,\"price\":1}]}", 422,
            "invalid-order", "/items/0/price"),
        Arguments.of("another currency", JSON,
            "{\"customerId\":\"a\",\"currency\":\"USD\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}", 422,
            "invalid-order", "/currency"));
  }

  @ParameterizedTest(name = "{0} → {3}")
  @MethodSource("badOrders")
  @DisplayName("answers POST /orders with problem+json naming the offending field, and publishes nothing, for")
  void refuses(String name, String contentType, String body, int status, String type, String field) throws Exception {
    int before = env.nats().messages("ORDERS", "orders.placed.*").size();

    HttpResponse<String> response = env.app().post("/orders", contentType, body);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getString("type")).isEqualTo("https://orderflow.dev/problems/" + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
    if (field != null) {
      assertThat(problem.getString("field")).isEqualTo(field);
    }
    assertThat(env.nats().messages("ORDERS", "orders.placed.*").size()).isEqualTo(before);
  }

  @Test
  @DisplayName("answers 404 problem+json for an unknown order, an unknown SKU and an unknown path")
  void notFound() throws Exception {
    for (String path : new String[] {"/orders/7b0c6f4e-0000-4000-8000-000000000000", "/orders/..", "/inventory/NOPE",
        "/nowhere"}) {
      HttpResponse<String> response = env.app().get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    }
  }

  @Test
  @DisplayName("answers 405 problem+json for a method the resource does not have")
  void methodNotAllowed() throws Exception {
    HttpResponse<String> response = env.app().post("/inventory/MUG-LOGO", JSON, "{}");
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(new JsonObject(response.body()).getString("type")).endsWith("/method-not-allowed");
  }

  @Test
  @DisplayName("shows a SKU's available and reserved stock")
  void inventory() throws Exception {
    JsonObject stock = env.app().stock("VINYL-SOLD-OUT");
    assertThat(stock).isEqualTo(new JsonObject().put("sku", "VINYL-SOLD-OUT").put("available", 0).put("reserved", 0));
  }
}
