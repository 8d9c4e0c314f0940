package dev.orderflow.orders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.orderflow.events.CustomerIds;
import dev.orderflow.http.HttpProblem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The first look at a {@code POST /orders} body: one streaming pass that reads it as strict JSON and stops at the
 * first problem it meets, malformed JSON (400) or a shape no order has (422: a field it does not know, a value of
 * the wrong type, more lines than allowed, a string longer than its field takes), before anything builds a
 * document or runs the JSON Schema. A refusal so costs at most one read of the body, however it is shaped: the
 * validator, given 32,000 wrong lines, reported an error for each. What passes is small and goes on to
 * {@link OrderRequests#validate}.
 */
final class OrderBody {

  /**
   * Strict JSON (RFC 8259): no comments, single quotes, unquoted names, trailing commas, NaN or leading zeros,
   * and a duplicate name is an error rather than "the last one wins".
   */
  private static final JsonFactory STRICT_JSON = JsonFactory.builder()
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
      .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
      .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
      .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  /** The schema's bounds on the strings (OrderRequests#schema): longer is refused here, unread by the validator. */
  static final int MAX_CUSTOMER_ID = CustomerIds.MAX_LENGTH;
  static final int MAX_SKU = 64;
  static final int CURRENCY = 3;

  private final JsonParser parser;
  private final int maxLines;

  private OrderBody(JsonParser parser, int maxLines) {
    this.parser = parser;
    this.maxLines = maxLines;
  }

  /**
   * The body as one JSON object of an order's shape. Throws {@link HttpProblem} for the first problem in it: 400
   * {@code malformed-json} where it stops being one strict JSON object in UTF-8, 422 at a field of the wrong shape.
   */
  static JsonObject read(Buffer body, int maxLines) {
    byte[] bytes = utf8(body);
    // Read from the bytes: a refused body is never decoded or copied as a whole, only read up to its first problem.
    try (JsonParser parser = STRICT_JSON.createParser(bytes, 0, bytes.length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("The body must be a JSON object");
      }
      new OrderBody(parser, maxLines).order();
      if (parser.nextToken() != null) {
        throw malformed("The body must hold one JSON object and nothing after it");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof HttpProblem problem) {
        throw problem;
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw malformed("The body is not valid JSON: " + message);
    }
    requireUtf8(bytes);
    return new JsonObject(body);
  }

  /**
   * The body's bytes, unless they plainly are no UTF-8 JSON: empty, or starting with a byte order mark or with a NUL
   * among the first four bytes (JSON on the wire is UTF-8 without a byte order mark, RFC 8259 §8.1; the parser
   * would take such a start for UTF-16 or UTF-32).
   */
  private static byte[] utf8(Buffer body) {
    if (body == null || body.length() == 0) {
      throw malformed("The body is empty; send the order as JSON");
    }
    byte[] bytes = body.getBytes();
    if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
      throw malformed("The body starts with a byte order mark; send plain UTF-8");
    }
    for (int i = 0; i < Math.min(4, bytes.length); i++) {
      if (bytes[i] == 0 || bytes[i] == (byte) 0xFE || bytes[i] == (byte) 0xFF) {
        throw malformed("The body is not UTF-8");
      }
    }
    return bytes;
  }

  /**
   * The parser decodes UTF-8 only as far as it reads strings, and lets overlong forms and lone surrogates through;
   * a body that passed it is checked strictly (at once when it is ASCII, as nearly every order is).
   */
  private static void requireUtf8(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        try {
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
          return;
        } catch (CharacterCodingException e) {
          throw malformed("The body is not UTF-8");
        }
      }
    }
  }

  private static HttpProblem malformed(String detail) {
    return HttpProblem.of(400, "malformed-json", "Malformed JSON", detail);
  }

  /** The top-level object, from its first field to its end. */
  private void order() throws IOException {
    while (next() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = next();
      switch (name) {
        case "customerId" -> string(value, "/customerId", "customerId", MAX_CUSTOMER_ID);
        case "currency" -> string(value, "/currency", "currency", CURRENCY);
        case "items" -> items(value);
        default -> throw OrderRequests.unexpectedField("/" + OrderRequests.escaped(name), name);
      }
    }
  }

  private void items(JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw OrderRequests.wrongType("/items", "items");
    }
    int line = 0;
    for (JsonToken element = next(); element != JsonToken.END_ARRAY; element = next(), line++) {
      if (line >= maxLines) {
        throw OrderRequests.tooManyLines(maxLines);
      }
      if (element != JsonToken.START_OBJECT) {
        throw OrderRequests.wrongType("/items/" + line, Integer.toString(line));
      }
      line(line);
    }
  }

  /** One line's object, read to its end. */
  private void line(int line) throws IOException {
    while (next() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = next();
      String field = "/items/" + line + "/" + OrderRequests.escaped(name);
      switch (name) {
        case "sku" -> string(value, field, "sku", MAX_SKU);
        case "quantity" -> {
          if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw OrderRequests.wrongType(field, name);
          }
        }
        default -> throw OrderRequests.unexpectedField(field, name);
      }
    }
  }

  private void string(JsonToken value, String field, String name, int maxLength) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw OrderRequests.wrongType(field, name);
    }
    if (parser.getTextLength() > maxLength) {
      throw OrderRequests.badText(field, name);
    }
  }

  /** The next token; the end of the input inside the object is malformed JSON, as the parser would say. */
  private JsonToken next() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      throw malformed("The body is not valid JSON: it ends inside the object");
    }
    return token;
  }
}
