package dev.orderflow.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderflow.http.HttpProblem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("A POST /orders body, read in one pass")
class OrderBodyTest {

  private static final int MAX_LINES = 50;

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"customerId\":5,\"items\":[]}                                  | /customerId",
      "{\"customerId\":\"bob\",\"items\":{}}                            | /items",
      "{\"customerId\":\"bob\",\"items\":[1,1,1]}                       | /items/0",
      "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"A\",\"quantity\":1},{}, 1]} | /items/2",
      "{\"customerId\":\"bob\",\"items\":[{\"sku\":1,\"quantity\":\"1\"}]} | /items/0/sku",
      "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"A\",\"quantity\":\"1\"}]} | /items/0/quantity",
      "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"A\",\"quantity\":1,\"price\":0}]} | /items/0/price",
      "{\"customerId\":\"bob\",\"a/b\":0,\"c\":0}                       | /a~1b",
      "{\"currency\":[\"EUR\"],\"customerId\":\"bob\"}                 | /currency",
      "{\"currency\":\"EURO\"}                                          | /currency"})
  @DisplayName("refuses the first field of a wrong shape with 422, naming it")
  void firstWrongShape(String body, String field) {
    assertThatThrownBy(() -> read(body)).isInstanceOfSatisfying(HttpProblem.class, problem -> {
      assertThat(problem.status()).isEqualTo(422);
      assertThat(problem.field()).isEqualTo(field);
    });
  }

  @Test
  @DisplayName("refuses the line after the last allowed one, whatever follows it")
  void tooManyLines() {
    String line = "{\"sku\":\"MUG-LOGO\",\"quantity\":1}";
    String body = "{\"customerId\":\"bob\",\"items\":[" + String.join(",", Collections.nCopies(MAX_LINES + 1, line))
        + ",1,{}]}";
    assertThatThrownBy(() -> read(body)).isInstanceOfSatisfying(HttpProblem.class, problem -> {
      assertThat(problem.status()).isEqualTo(422);
      assertThat(problem.getMessage()).contains("at most " + MAX_LINES + " lines");
    });
  }

  @Test
  @DisplayName("refuses strings longer than their field takes, without echoing them")
  void longStrings() {
    String sku = "A".repeat(60_000);
    assertThatThrownBy(() -> read("{\"customerId\":\"bob\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}"))
        .isInstanceOfSatisfying(HttpProblem.class, problem -> {
          assertThat(problem.status()).isEqualTo(422);
          assertThat(problem.getMessage()).doesNotContain("AAAA");
        });
    String name = "n".repeat(40_000);
    assertThatThrownBy(() -> read("{\"" + name + "\":1}")).isInstanceOfSatisfying(HttpProblem.class,
        problem -> assertThat(problem.getMessage().length()).isLessThan(300));
  }

  @Test
  @DisplayName("answers the first problem it meets: a wrong shape before malformed JSON, or malformed JSON first")
  void firstProblem() {
    assertThatThrownBy(() -> read("{\"customerId\":5,\"items\":[1,1,]}"))
        .isInstanceOfSatisfying(HttpProblem.class, problem -> assertThat(problem.status()).isEqualTo(422));
    assertThatThrownBy(() -> read("{\"customerId\":\"bob\",\"items\":[{},]}"))
        .isInstanceOfSatisfying(HttpProblem.class, problem -> assertThat(problem.status()).isEqualTo(400));
    assertThatThrownBy(() -> read("{\"items\":" + "[".repeat(30_000) + "]".repeat(30_000) + "}"))
        .isInstanceOfSatisfying(HttpProblem.class, problem -> assertThat(problem.status()).isEqualTo(422));
    assertThatThrownBy(() -> read("{\"customerId\":" + "[".repeat(30_000) + "]".repeat(30_000) + "}"))
        .isInstanceOfSatisfying(HttpProblem.class, problem -> assertThat(problem.status()).isEqualTo(422));
  }

  @Test
  @DisplayName("passes an order's shape on, values unjudged (ranges, patterns and SKUs are checked after)")
  void passes() {
    JsonObject order = read("{\"customerId\":\"bob\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"X\",\"quantity\":0},"
        + "{\"quantity\":2.0,\"sku\":\"MUG-LOGO\"}]}");
    assertThat(order.getJsonArray("items")).hasSize(2);
  }

  @Test
  @DisplayName("refuses what is not UTF-8 (UTF-16, an overlong form, a lone surrogate, a byte order mark) with 400")
  void notUtf8() {
    String order = "{\"customerId\":\"bob\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}";
    byte[][] bodies = {
        order.getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
        order.getBytes(java.nio.charset.StandardCharsets.UTF_16),
        order.replace("bob", "bo\u00c0\u00af").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
        order.replace("bob", "bo\u00ed\u00a0\u0080").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
        ("\ufeff" + order).getBytes(java.nio.charset.StandardCharsets.UTF_8)};
    for (byte[] body : bodies) {
      assertThatThrownBy(() -> OrderBody.read(Buffer.buffer(body), MAX_LINES))
          .isInstanceOfSatisfying(HttpProblem.class, problem -> assertThat(problem.status()).isEqualTo(400));
    }
    assertThat(OrderBody.read(Buffer.buffer(order.replace("bob", "bøb")), MAX_LINES).getString("customerId"))
        .isEqualTo("bøb");
  }

  private static JsonObject read(String body) {
    return OrderBody.read(Buffer.buffer(body), MAX_LINES);
  }
}
