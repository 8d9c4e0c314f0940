package dev.orderflow.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.http.HttpProblem;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("POST /orders bodies and GET /orders ids, at the edge")
class StrictJsonTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "{/* c */\"customerId\":\"a\"}", "// c\n{\"customerId\":\"a\"}", "{'customerId':'a'}", "{customerId:\"a\"}",
      "{\"items\":[{},]}", "{\"q\":NaN}", "{\"q\":01}", "{\"currency\":\"a\",\"currency\":\"b\"}", "{} {}", "[]",
      "\"x\"", "", "{", "{\"customerId\":\"a\""})
  @DisplayName("anything but one strict JSON object (up to its first field of a wrong shape) is 400 malformed-json:")
  void refused(String body) {
    assertThatThrownBy(() -> OrderBody.read(Buffer.buffer(body), 50))
        .isInstanceOfSatisfying(HttpProblem.class, p -> {
          assertThat(p.status()).isEqualTo(400);
          assertThat(p.getMessage()).isNotBlank();
        });
  }

  @Test
  @DisplayName("a plain JSON object passes")
  void accepted() {
    assertThat(OrderBody.read(Buffer.buffer(" {\"customerId\":\"a\",\"items\":[]} "), 50).getString(
        "customerId")).isEqualTo("a");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"a..b", "a.b", ".", "*", ">", "a b", ""})
  @DisplayName("an order id with dots, wildcards or spaces is no order id:")
  void implausibleIds(String id) {
    assertThat(OrderRequests.plausibleOrderId(id)).isFalse();
  }

  @Test
  @DisplayName("an order id as the API makes them is plausible")
  void plausibleId() {
    assertThat(OrderRequests.plausibleOrderId("0b7e1c2a-5d4f-4c47-9a53-5a1e0c4b2f10")).isTrue();
  }
}
