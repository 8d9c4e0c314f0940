package dev.orderflow.orders;

import dev.orderflow.access.ApiAuthentication;
import dev.orderflow.events.CustomerIds;
import dev.orderflow.events.OrderIds;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.messaging.EventLog;
import dev.orderflow.messaging.EventPublisher;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /orders}: the caller's orders (an operator's: any customer's, or every customer's), newest first or
 * oldest first, filtered by status and placing time, a page at a time with an opaque cursor ({@code next}, and a
 * {@code Link: rel="next"} header).
 *
 * <p>The cursor names the customer and the query it belongs to: the customer always comes from the token (a
 * customer's list is its own whatever the cursor says), and a cursor of another customer or another query is a
 * 400, so that a forged cursor can neither leak nor mislead.
 */
final class OrderQueries {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  private static final Set<String> PARAMETERS =
      Set.of("customerId", "status", "placedAfter", "placedBefore", "sort", "limit", "cursor");
  /** How long a list waits for the index to hold what this process just wrote (read your own writes). */
  private static final Duration CATCH_UP = Duration.ofSeconds(1);

  private final OrderIndexFeed feed;
  private final EventPublisher publisher;
  private final EventLog log;

  OrderQueries(OrderIndexFeed feed, EventPublisher publisher, EventLog log) {
    this.feed = feed;
    this.publisher = publisher;
    this.log = log;
  }

  void list(RoutingContext ctx) {
    MultiMap params = ctx.queryParams();
    for (String name : params.names()) {
      if (!PARAMETERS.contains(name)) {
        throw HttpProblem.invalidParameter(name, "Unknown query parameter '" + name + "'; GET /orders takes "
            + new TreeSet<>(PARAMETERS));
      }
    }
    String requested = single(params, "customerId");
    if (requested != null && !OrderRequests.customerIdLike(requested)) {
      throw HttpProblem.invalidParameter("customerId", "customerId must be " + CustomerIds.DESCRIPTION);
    }
    String customerId = ApiAuthentication.listedCustomer(ctx, requested);
    Set<OrderStatus> statuses = statuses(params);
    Instant placedAfter = time(params, "placedAfter");
    Instant placedBefore = time(params, "placedBefore");
    boolean newestFirst = sort(params);
    int limit = limit(params);
    String query = fingerprint(statuses, placedAfter, placedBefore);
    String after = cursorPosition(single(params, "cursor"), customerId, newestFirst, query);
    if (feed.index() == null || !feed.rebuilt()) {
      throw HttpProblem.unavailable("order-index-rebuilding", "The order list is being rebuilt",
          "The order list is being rebuilt from the streams; try again in a few seconds");
    }
    OrderListing listing = new OrderListing(ctx.vertx(), feed.index(), log);
    feed.caughtUpWith(publisher, CATCH_UP)
        .compose(v -> listing.list(new OrderListing.Query(customerId, statuses, placedAfter, placedBefore,
            newestFirst, limit, after)))
        .onSuccess(page -> {
          JsonObject body = new JsonObject().put("orders", json(page));
          if (page.next() != null) {
            String cursor = cursor(customerId, newestFirst, query, page.next());
            body.put("next", cursor);
            ctx.response().putHeader("Link", "<" + nextLink(ctx, cursor) + ">; rel=\"next\"");
          }
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
        })
        .onFailure(ctx::fail);
  }

  private static JsonArray json(OrderListing.Page page) {
    JsonArray orders = new JsonArray();
    for (OrderListing.Listed order : page.orders()) {
      JsonObject json = new JsonObject()
          .put("orderId", order.orderId())
          .put("customerId", order.customerId())
          .put("status", order.status().name());
      if (order.reason() != null) {
        json.put("cancellationReason", order.reason().name());
      }
      orders.add(json
          .put("total", new JsonObject().put("amountMinor", order.totalMinor()).put("currency", order.currency()))
          .put("placedAt", order.placedAt().toString())
          .put("updatedAt", order.updatedAt().toString()));
    }
    return orders;
  }

  private static String single(MultiMap params, String name) {
    var values = params.getAll(name);
    if (values.size() > 1) {
      throw HttpProblem.invalidParameter(name, name + " may be given once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** {@code status} may be repeated and each may hold a comma-separated list. */
  private static Set<OrderStatus> statuses(MultiMap params) {
    Set<OrderStatus> statuses = EnumSet.noneOf(OrderStatus.class);
    for (String value : params.getAll("status")) {
      for (String name : value.split(",", -1)) {
        try {
          statuses.add(OrderStatus.valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw HttpProblem.invalidParameter("status", "status must name statuses among "
              + Arrays.toString(OrderStatus.values()) + ", comma-separated");
        }
      }
    }
    return statuses;
  }

  private static Instant time(MultiMap params, String name) {
    String value = single(params, name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw HttpProblem.invalidParameter(name, name + " must be an RFC 3339 time, e.g. 2026-12-06T10:00:00Z");
    }
  }

  private static boolean sort(MultiMap params) {
    String value = single(params, "sort");
    if (value == null || value.equals("newest")) {
      return true;
    }
    if (value.equals("oldest")) {
      return false;
    }
    throw HttpProblem.invalidParameter("sort", "sort must be newest or oldest");
  }

  private static int limit(MultiMap params) {
    String value = single(params, "limit");
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpProblem.invalidParameter("limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
  }

  private static String fingerprint(Set<OrderStatus> statuses, Instant after, Instant before) {
    return Digests.sha256Hex(statuses + "|" + after + "|" + before).substring(0, 16);
  }

  /** The cursor for going on from {@code position}: opaque to clients, and bound to the customer and the query. */
  private static String cursor(String customerId, boolean newestFirst, String query, String position) {
    JsonObject cursor = new JsonObject().put("c", customerId == null ? "" : customerId)
        .put("s", newestFirst ? "n" : "o").put("q", query).put("k", position);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.toBuffer().getBytes());
  }

  /** The position a cursor names, after checking it belongs to this caller and query; 400 for any other. */
  private static String cursorPosition(String cursor, String customerId, boolean newestFirst, String query) {
    if (cursor == null) {
      return null;
    }
    JsonObject decoded;
    try {
      decoded = Buffer.buffer(Base64.getUrlDecoder().decode(cursor)).toJsonObject();
    } catch (RuntimeException e) {
      throw HttpProblem.invalidParameter("cursor", "cursor is not one this API gave out");
    }
    String position = decoded.getValue("k") instanceof String k ? k : "";
    boolean sound = (customerId == null ? "" : customerId).equals(decoded.getValue("c"))
        && (newestFirst ? "n" : "o").equals(decoded.getValue("s"))
        && query.equals(decoded.getValue("q"))
        && position.length() > 13 && position.substring(0, 13).chars().allMatch(Character::isDigit)
        && OrderIds.valid(position.substring(13));
    if (!sound) {
      throw HttpProblem.invalidParameter("cursor", "cursor belongs to another list (another customer, sort or "
          + "filter); repeat the query it came with");
    }
    return position;
  }

  /** This request's path and query with {@code cursor} in place of the one it had. */
  private static String nextLink(RoutingContext ctx, String cursor) {
    StringBuilder link = new StringBuilder(ctx.request().path()).append('?');
    ctx.queryParams().forEach((name, value) -> {
      if (!name.equals("cursor")) {
        link.append(encode(name)).append('=').append(encode(value)).append('&');
      }
    });
    return link.append("cursor=").append(cursor).toString();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
