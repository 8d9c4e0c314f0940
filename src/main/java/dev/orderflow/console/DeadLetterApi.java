package dev.orderflow.console;

import dev.orderflow.http.HttpProblem;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.operate.DeadLetterDesk;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code /admin/dead-letters}: list the dead letters, send back or discard one or a selection. The same desk as
 * {@code bin/deadletters} ({@link DeadLetterDesk}), on the service's connection, run on a worker (it blocks).
 */
final class DeadLetterApi {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;
  /** Letters one request may send back or discard. */
  static final int MAX_SELECTION = 100;

  private final DeadLetterDesk desk;
  private final WorkerExecutor worker;

  DeadLetterApi(DeadLetterDesk desk, WorkerExecutor worker) {
    this.desk = desk;
    this.worker = worker;
  }

  /** {@code GET /admin/dead-letters?after=SEQ&limit=N}: oldest first; {@code next} when there may be more. */
  void list(RoutingContext ctx) {
    long after = parameter(ctx, "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) parameter(ctx, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    blocking(() -> desk.list(after, limit)).onSuccess(letters -> {
      JsonArray items = new JsonArray();
      letters.forEach(letter -> items.add(DeadLetterJson.of(letter)));
      JsonObject body = new JsonObject().put("deadLetters", items);
      if (letters.size() == limit) {
        body.put("next", letters.get(letters.size() - 1).sequence());
      }
      json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  /** {@code POST /admin/dead-letters/send-back} with {@code {"sequences": [...]}}: an outcome per letter. */
  void sendBackSelection(RoutingContext ctx) {
    selection(ctx, "sent-back", sequence -> {
      DeadLetterDesk.Letter letter = desk.sendBack(sequence);
      return new JsonObject().put("subject", letter.originalSubject());
    });
  }

  /** {@code POST /admin/dead-letters/discard} with {@code {"sequences": [...]}}: an outcome per letter. */
  void discardSelection(RoutingContext ctx) {
    selection(ctx, "discarded", sequence -> {
      desk.discard(sequence);
      return new JsonObject();
    });
  }

  /** {@code POST /admin/dead-letters/{sequence}/send-back}: 200 with where it went, 404 if there is no such letter. */
  void sendBack(RoutingContext ctx) {
    long sequence = sequence(ctx);
    blocking(() -> desk.sendBack(sequence)).onSuccess(letter -> json(ctx, 200, new JsonObject()
            .put("sequence", sequence).put("outcome", "sent-back").put("subject", letter.originalSubject())))
        .onFailure(e -> ctx.fail(problem(e)));
  }

  /** {@code DELETE /admin/dead-letters/{sequence}}: 204, or 404 if there is no such letter. */
  void discard(RoutingContext ctx) {
    long sequence = sequence(ctx);
    blocking(() -> {
      desk.discard(sequence);
      return null;
    }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(e -> ctx.fail(problem(e)));
  }

  private interface Operation {
    JsonObject apply(long sequence);
  }

  /** Applies {@code operation} to each selected letter in turn; one letter's failure does not stop the others. */
  private void selection(RoutingContext ctx, String done, Operation operation) {
    List<Long> sequences = sequences(ctx.body().buffer());
    blocking(() -> {
      JsonArray results = new JsonArray();
      for (long sequence : sequences) {
        JsonObject result = new JsonObject().put("sequence", sequence);
        try {
          result.put("outcome", done).mergeIn(operation.apply(sequence));
        } catch (DeadLetterDesk.NotFound e) {
          result.put("outcome", "not-found").put("detail", e.getMessage());
        } catch (RuntimeException e) {
          result.put("outcome", "failed").put("detail", e.getMessage());
        }
        results.add(result);
      }
      return results;
    }).onSuccess(results -> json(ctx, 200, new JsonObject().put("results", results))).onFailure(ctx::fail);
  }

  /** The body's {@code sequences}: 1 to {@value #MAX_SELECTION} distinct positive integers. */
  static List<Long> sequences(Buffer body) {
    JsonObject json;
    try {
      json = body == null || body.length() == 0 ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw HttpProblem.of(400, "malformed-json", "Malformed JSON", "The body is not a JSON object");
    }
    if (json == null) {
      throw HttpProblem.of(400, "malformed-json", "Malformed JSON", "The body is empty; send {\"sequences\": [...]}");
    }
    for (String name : json.fieldNames()) {
      if (!name.equals("sequences")) {
        throw invalid("/" + name, "Unexpected field " + name + "; send {\"sequences\": [...]}");
      }
    }
    if (!(json.getValue("sequences") instanceof JsonArray array) || array.isEmpty()
        || array.size() > MAX_SELECTION) {
      throw invalid("/sequences", "sequences must be an array of 1 to " + MAX_SELECTION + " dead-letter sequences");
    }
    Set<Long> sequences = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      Object value = array.getValue(i);
      if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
          || !sequences.add(((Number) value).longValue())) {
        throw invalid("/sequences/" + i, "sequences must be distinct positive integers; " + value + " is not one");
      }
    }
    return new ArrayList<>(sequences);
  }

  private static HttpProblem invalid(String field, String detail) {
    return HttpProblem.invalid("invalid-request", "The request is not valid", field, detail);
  }

  private static long sequence(RoutingContext ctx) {
    String raw = ctx.pathParam("sequence");
    try {
      long sequence = Long.parseLong(raw);
      if (sequence >= 1) {
        return sequence;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpProblem.notFound("There is no dead letter " + raw);
  }

  private static long parameter(RoutingContext ctx, String name, long min, long max, long otherwise) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return otherwise;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpProblem.of(400, "invalid-parameter", "Invalid query parameter",
        name + " must be a whole number from " + min + " to " + max);
  }

  private <T> Future<T> blocking(Callable<T> call) {
    return worker.executeBlocking(call, false).recover(e -> Future.failedFuture(problem(e)));
  }

  /** The desk's failures as answers. */
  static Throwable problem(Throwable failure) {
    if (failure instanceof DeadLetterDesk.NotFound notFound) {
      return HttpProblem.of(404, "not-found", "Not found", notFound.getMessage());
    }
    if (failure instanceof BrokerUnavailable unavailable) {
      return HttpProblem.unavailable("broker-unavailable", "The message broker did not answer",
          unavailable.getMessage());
    }
    if (failure instanceof IllegalStateException unroutable) {
      return HttpProblem.of(409, "dead-letter-unroutable", "The dead letter cannot be sent back",
          unroutable.getMessage());
    }
    return failure;
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }
}
