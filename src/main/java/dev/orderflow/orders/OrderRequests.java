package dev.orderflow.orders;

import dev.orderflow.config.Catalogue;
import dev.orderflow.config.HttpConfig;
import dev.orderflow.events.CustomerIds;
import dev.orderflow.events.OrderIds;
import dev.orderflow.http.HttpProblem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@code POST /orders} body and prices it from the catalogue. Shape and bounds are checked by a JSON
 * Schema; what a schema cannot know (is the SKU on sale, is the currency ours) is checked against the catalogue.
 * Every refusal is a 422 naming the offending field as a JSON Pointer.
 *
 * <p>The schema validator costs more than everything else on the way to a 202, and reports every error it finds,
 * so it only ever sees a body of bounded size: {@link OrderBody} refuses the wrong shapes while reading. A body is
 * then held against a hand-written copy of the schema's rules that is at least as strict; only a body that fails it
 * (or that it cannot judge cheaply, such as a quantity written as {@code 2.0}) goes to the validator, which then
 * names the problem.
 */
final class OrderRequests {

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
  /** The longest field name a refusal repeats: a client chooses it, and may make it 50,000 characters long. */
  private static final int MAX_NAME_SHOWN = 64;

  private final Catalogue catalogue;
  private final Validator validator;
  private final HttpConfig limits;

  OrderRequests(HttpConfig limits, Catalogue catalogue) {
    this.catalogue = catalogue;
    this.limits = limits;
    this.validator = Validator.create(JsonSchema.of(schema(limits)), new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri("https://orderflow.dev/schemas/")
        .setOutputFormat(OutputFormat.Basic));
  }

  /** Whether {@code id} can be an order id at all: anything else is a 404 without a lookup. */
  static boolean plausibleOrderId(String id) {
    return OrderIds.valid(id); // the same rule as every event's subject token, so one definition
  }

  /**
   * The body as one JSON object of an order's shape, read strictly in one pass; throws {@link HttpProblem} 400
   * {@code malformed-json} or, for the first field of the wrong shape, 422 (see {@link OrderBody}).
   */
  JsonObject read(Buffer body) {
    return OrderBody.read(body, limits.maxOrderLines());
  }

  /** The validated, priced request; throws {@link HttpProblem} (422) when the body is not acceptable. */
  PlaceOrder validate(JsonObject body) {
    if (!plainlyValid(body)) {
      OutputUnit result = validator.validate(body);
      if (!Boolean.TRUE.equals(result.getValid())) {
        throw refusal(result);
      }
    }
    String currency = body.getString("currency", catalogue.currency());
    if (!currency.equals(catalogue.currency())) {
      throw HttpProblem.invalid("/currency", "currency " + currency + " is not accepted; prices are in "
          + catalogue.currency());
    }
    JsonArray items = body.getJsonArray("items");
    List<Order.Line> lines = new ArrayList<>(items.size());
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String sku = item.getString("sku");
      int index = i;
      int quantity = item.getInteger("quantity");
      Catalogue.Item product = catalogue.item(sku)
          .orElseThrow(() -> HttpProblem.invalid("/items/" + index + "/sku", "unknown SKU '" + sku + "'"));
      if (!seen.add(sku)) {
        throw HttpProblem.invalid("/items/" + i + "/sku", "SKU '" + sku + "' appears on more than one line; "
            + "order it once with the total quantity");
      }
      try {
        total = Math.addExact(total, Math.multiplyExact(product.unitPriceMinor(), quantity));
      } catch (ArithmeticException e) {
        throw HttpProblem.invalid("/items", "the order total is too large");
      }
      lines.add(new Order.Line(sku, quantity, product.unitPriceMinor()));
    }
    return new PlaceOrder(body.getString("customerId"), currency, lines, total);
  }

  /**
   * Whether {@code body} plainly meets every rule of {@link #schema}: true only when it certainly does, so that a
   * false answer merely sends the body to the validator.
   */
  private boolean plainlyValid(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!field.equals("customerId") && !field.equals("items") && !field.equals("currency")) {
        return false;
      }
    }
    if (!(body.getValue("customerId") instanceof String customerId) || !customerIdLike(customerId)) {
      return false;
    }
    if (body.containsKey("currency") && !(body.getValue("currency") instanceof String currency
        && currency.length() == 3 && isUpper(currency.charAt(0)) && isUpper(currency.charAt(1))
        && isUpper(currency.charAt(2)))) {
      return false;
    }
    if (!(body.getValue("items") instanceof JsonArray items) || items.isEmpty()
        || items.size() > limits.maxOrderLines()) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof JsonObject item) || item.size() != 2
          || !(item.getValue("sku") instanceof String sku) || sku.isEmpty() || sku.length() > 64
          || !(item.getValue("quantity") instanceof Integer quantity) || quantity < 1
          || quantity > limits.maxQuantityPerLine()) {
        return false;
      }
    }
    return true;
  }

  /** The schema's customer id pattern ({@link CustomerIds}). */
  static boolean customerIdLike(String id) {
    return CustomerIds.valid(id);
  }

  private static boolean isUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  private HttpProblem refusal(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
    // The most specific error says the most: deepest in the document, then deepest in the schema (the keyword
    // that failed, rather than the "properties" that contain it).
    OutputUnit error = errors.stream()
        .max(Comparator.comparingInt((OutputUnit u) -> depth(u.getInstanceLocation()))
            .thenComparingInt(u -> depth(u.getKeywordLocation())))
        .orElse(result);
    String field = pointerOf(error.getInstanceLocation());
    String keyword = lastSegment(error.getKeywordLocation());
    if (keyword.equals("required")) {
      Matcher missing = QUOTED.matcher(String.valueOf(error.getError()));
      String name = missing.find() ? missing.group(1) : "";
      return HttpProblem.invalid(field + "/" + name, name + " is required");
    }
    return HttpProblem.invalid(field, describe(field, keyword, error.getError()));
  }

  /** Plain-language messages for the bounds of this API; other errors keep the validator's wording. */
  private String describe(String field, String keyword, String fallback) {
    String name = field.isEmpty() ? "the body" : lastSegment(field);
    return switch (keyword) {
      case "minItems" -> "items must list at least one product";
      case "maxItems" -> tooManyLines(limits.maxOrderLines()).getMessage();
      case "minimum", "maximum" -> name + " must be between 1 and " + limits.maxQuantityPerLine();
      case "type" -> wrongType(field, name).getMessage();
      case "additionalProperties", "unevaluatedProperties", "false" -> unexpectedField(field, name).getMessage();
      case "pattern", "minLength", "maxLength" -> describeText(name, fallback);
      default -> fallback;
    };
  }

  /** 422: {@code name} (at {@code field}) is no field of an order. */
  static HttpProblem unexpectedField(String field, String name) {
    String shown = name.length() > MAX_NAME_SHOWN ? name.substring(0, MAX_NAME_SHOWN) + "…" : name;
    return HttpProblem.invalid(field.length() > 2 * MAX_NAME_SHOWN ? field.substring(0, 2 * MAX_NAME_SHOWN) : field,
        "unexpected field '" + shown + "': send only customerId, items[].sku, items[].quantity and currency (prices "
            + "come from the catalogue)");
  }

  /** 422: the value of {@code name} (at {@code field}; a line's index for a line) has the wrong JSON type. */
  static HttpProblem wrongType(String field, String name) {
    boolean line = !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    return HttpProblem.invalid(field, (line ? "each item" : name) + " must be " + expectedType(name));
  }

  /** 422: more lines than {@code maxLines}. */
  static HttpProblem tooManyLines(int maxLines) {
    return HttpProblem.invalid("/items", "an order has at most " + maxLines + " lines");
  }

  /** 422: the string {@code name} (at {@code field}) is too long or not of its pattern. */
  static HttpProblem badText(String field, String name) {
    return HttpProblem.invalid(field, describeText(name, name + " is not acceptable"));
  }

  /** {@code name} as a JSON Pointer segment (RFC 6901). */
  static String escaped(String name) {
    return name.indexOf('~') < 0 && name.indexOf('/') < 0 ? name : name.replace("~", "~0").replace("/", "~1");
  }

  private static String expectedType(String name) {
    return switch (name) {
      case "quantity" -> "a whole number";
      case "items" -> "an array";
      case "customerId", "currency", "sku" -> "a string";
      default -> "an object with sku and quantity";
    };
  }

  private static String describeText(String name, String fallback) {
    return switch (name) {
      case "customerId" -> "customerId must be " + CustomerIds.DESCRIPTION;
      case "currency" -> "currency must be an ISO-4217 code such as EUR";
      case "sku" -> "sku must be 1 to 64 characters";
      default -> fallback;
    };
  }

  private static int depth(String location) {
    return location == null ? 0 : location.split("/").length;
  }

  private static String pointerOf(String instanceLocation) {
    if (instanceLocation == null) {
      return "";
    }
    return instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
  }

  private static String lastSegment(String path) {
    if (path == null) {
      return "";
    }
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static JsonObject schema(HttpConfig limits) {
    JsonObject item = new JsonObject()
        .put("type", "object")
        .put("required", new JsonArray().add("sku").add("quantity"))
        .put("additionalProperties", false)
        .put("properties", new JsonObject()
            .put("sku", new JsonObject().put("type", "string").put("minLength", 1).put("maxLength", 64))
            .put("quantity", new JsonObject().put("type", "integer")
                .put("minimum", 1).put("maximum", limits.maxQuantityPerLine())));
    return new JsonObject()
        .put("$schema", "https://json-schema.org/draft/2020-12/schema")
        .put("type", "object")
        .put("required", new JsonArray().add("customerId").add("items"))
        .put("additionalProperties", false)
        .put("properties", new JsonObject()
            .put("customerId", new JsonObject().put("type", "string").put("pattern", CustomerIds.PATTERN))
            .put("currency", new JsonObject().put("type", "string").put("pattern", "^[A-Z]{3}$"))
            .put("items", new JsonObject()
                .put("type", "array")
                .put("minItems", 1)
                .put("maxItems", limits.maxOrderLines())
                .put("items", item)));
  }
}
