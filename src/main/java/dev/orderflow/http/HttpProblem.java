package dev.orderflow.http;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP error answer as an exception: fail a routing context with it and the failure handler writes it as
 * problem+json. {@code type} is a stable identifier clients may switch on; {@code detail} is for people.
 */
public final class HttpProblem extends RuntimeException {

  /** Prefix of every problem type; the types are listed in docs/api.md. */
  public static final String TYPE_BASE = "https://orderflow.dev/problems/";

  private final int status;
  private final String type;
  private final String title;
  private final String field;
  private final boolean retryable;
  private final Map<String, String> headers;
  /** Extension members (RFC 9457 section 3.2), e.g. the state of the resource that made the request fail. */
  private final Map<String, String> members;

  private HttpProblem(int status, String type, String title, String detail, String field, boolean retryable) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.field = field;
    this.retryable = retryable;
    this.headers = Map.of();
    this.members = Map.of();
  }

  private HttpProblem(HttpProblem problem, Map<String, String> headers, Map<String, String> members) {
    super(problem.getMessage(), null, false, false);
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.field = problem.field;
    this.retryable = problem.retryable;
    this.headers = Map.copyOf(headers);
    this.members = Map.copyOf(members);
  }

  /** The same problem with a response header added (e.g. {@code WWW-Authenticate}, {@code Retry-After}). */
  public HttpProblem withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new HttpProblem(this, more, members);
  }

  /** The same problem with an extension member added to its body. */
  public HttpProblem withMember(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(members);
    more.put(name, value);
    return new HttpProblem(this, headers, more);
  }

  /** Headers the answer carries besides its content type. */
  Map<String, String> headers() {
    return headers;
  }

  /** A problem of the given status and type (the last segment of its type URI, e.g. "malformed-json"). */
  public static HttpProblem of(int status, String type, String title, String detail) {
    return new HttpProblem(status, type, title, detail, null, false);
  }

  /** 422: the request is well-formed but {@code field} (a JSON Pointer into the body) is not acceptable. */
  public static HttpProblem invalid(String field, String detail) {
    return new HttpProblem(422, "invalid-order", "The order is not valid", detail, field, false);
  }

  /** 400: query parameter {@code name} is not acceptable ({@code field} names it). */
  public static HttpProblem invalidParameter(String name, String detail) {
    return new HttpProblem(400, "invalid-parameter", "Invalid query parameter", detail, name, false);
  }

  /** 422 of another kind of request: {@code field} (a JSON Pointer into the body) is not acceptable. */
  public static HttpProblem invalid(String type, String title, String field, String detail) {
    return new HttpProblem(422, type, title, detail, field, false);
  }

  /** 503 with {@code Retry-After}: try again shortly. */
  public static HttpProblem unavailable(String type, String title, String detail) {
    return new HttpProblem(503, type, title, detail, null, true);
  }

  public static HttpProblem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public int status() {
    return status;
  }

  /** The offending field of a 422, as a JSON Pointer into the body; null for other problems. */
  public String field() {
    return field;
  }

  /** Whether the answer should carry {@code Retry-After}. */
  boolean retryable() {
    return retryable;
  }

  JsonObject toJson(String instance) {
    JsonObject json = new JsonObject()
        .put("type", TYPE_BASE + type)
        .put("title", title)
        .put("status", status)
        .put("detail", getMessage())
        .put("instance", instance);
    if (field != null) {
      json.put("field", field);
    }
    members.forEach(json::put);
    return json;
  }
}
