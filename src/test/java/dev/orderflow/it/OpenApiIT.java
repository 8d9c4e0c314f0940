package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service against its OpenAPI document (src/main/resources/openapi.json, served at /openapi.json): every
 * request goes through a proxy that checks it and the answer against the document (vertx-openapi). Every answer
 * must conform, and every request the document refuses must be refused by the service.
 */
@DisplayName("The OpenAPI document")
class OpenApiIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension();

  private static Vertx vertx;
  private static HttpServer proxy;
  private static OpenAPIContract contract;
  /** What the proxy saw: one line per exchange that broke the contract. */
  private static final List<String> violations = new ArrayList<>();
  /** Operation id and status of every answer checked. */
  private static final Set<String> covered = new TreeSet<>();
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  @BeforeAll
  static void startProxy() throws Exception {
    vertx = Vertx.vertx();
    Path document = Files.createTempFile("openapi-", ".json");
    // vertx-openapi 5.0 validates JSON and plain text only: the problem and page media types are checked as those.
    Files.writeString(document, get("/openapi.json", null).body()
        .replace("application/problem+json", "application/json").replace("text/html", "text/plain")
        .replace("text/event-stream", "text/plain"));
    contract = OpenAPIContract.from(vertx, document.toString()).await();
    RequestValidator requests = RequestValidator.create(vertx, contract);
    ResponseValidator responses = ResponseValidator.create(vertx, contract);
    HttpClient client = vertx.createHttpClient();
    int servicePort = env.app().httpPort();
    // The request validator reads a request's body itself, so the proxy sends it a copy to a server of its own.
    int validatorPort = vertx.createHttpServer().requestHandler(request -> {
      Operation operation = contract.findOperation(request.path(), request.method());
      requests.validate(request, operation.getOperationId()).onComplete(valid -> request.response()
          .setStatusCode(valid.succeeded() ? 204 : 422).end(valid.succeeded() ? "" : valid.cause().getMessage()));
    }).listen(0, "127.0.0.1").await().actualPort();
    proxy = vertx.createHttpServer().requestHandler(request -> forward(request, validatorPort, responses, client,
        servicePort)).listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stopProxy() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("describes every answer the service gives, and the service refuses what it does not allow")
  void conformance() throws Exception {
    String alice = bearer("oa-alice", false);
    String operator = bearer("oa-operator", true);
    JsonObject order = TestOrderflow.order("oa-alice", Map.of("MUG-LOGO", 2));

    // POST /orders
    String shipped = new JsonObject(post("/orders", alice, order.encode(), "application/json").body())
        .getString("orderId");
    post("/orders", alice, "{\"customerId\":", "application/json");                         // 400 malformed
    post("/orders", alice, order.encode(), "application/json", "Idempotency-Key", "has space"); // 400 key
    post("/orders", null, order.encode(), "application/json");                                 // 401
    post("/orders", bearer("oa-bob", false), order.encode(), "application/json");              // 403
    post("/orders", alice, "{\"x\":\"" + "a".repeat(70_000) + "\"}", "application/json");      // 413
    post("/orders", alice, order.encode(), "text/plain");                                      // 415
    post("/orders", alice, order.copy().put("items", new JsonArray()).encode(), "application/json"); // 422
    post("/orders", alice, order.copy().put("colour", "red").encode(), "application/json");    // 422 extra field
    post("/orders", alice, TestOrderflow.order("oa-alice", Map.of("NO-SUCH-SKU", 1)).encode(), "application/json");
    post("/orders", alice, order.encode(), "application/json", "Idempotency-Key", "oa-key-1");
    post("/orders", alice, TestOrderflow.order("oa-alice", Map.of("MUG-LOGO", 3)).encode(), "application/json",
        "Idempotency-Key", "oa-key-1");                                                        // 422 key reused

    // GET /orders/{id} and the cancellation, at each end
    env.app().awaitStatus(shipped, "SHIPPED");
    get("/orders/" + shipped, alice);
    get("/orders/" + shipped, bearer("oa-bob", false));                                        // 404
    get("/orders/" + shipped, null);                                                           // 401
    post("/orders/" + shipped + "/cancel", alice, "", null);                                   // 409
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 400));
    String cancelled = new JsonObject(post("/orders", alice, order.encode(), "application/json").body())
        .getString("orderId");
    eventually(() -> env.app().charges(cancelled), charges -> !charges.isEmpty());
    post("/orders/" + cancelled + "/cancel", alice, "", null);                                 // 202
    env.app().gatewayFaults(new JsonObject().put("latencyMs", 0));
    eventually(() -> env.app().order(cancelled), view -> view.containsKey("refund"));
    get("/orders/" + cancelled, operator);                                                     // with its refund
    post("/orders/" + cancelled + "/cancel", bearer("oa-bob", false), "", null);               // 404
    post("/orders/" + cancelled + "/cancel", null, "", null);                                  // 401

    // GET /orders
    for (int i = 0; i < 3; i++) {
      post("/orders", alice, order.encode(), "application/json");
    }
    HttpResponse<String> page = get("/orders?limit=2", alice);
    String next = new JsonObject(page.body()).getString("next");
    get("/orders?limit=2&cursor=" + next, alice);
    get("/orders?status=SHIPPED,CANCELLED&sort=oldest&placedAfter=2026-01-01T00:00:00Z", operator);
    get("/orders?customerId=oa-alice&status=PENDING&status=RESERVED", operator);
    get("/orders?limit=0", alice);                                                             // 400 by both
    get("/orders?sort=sideways", alice);                                                       // 400 by both
    get("/orders?placedBefore=soon", alice);                                                   // 400 by both
    get("/orders?customerId=oa-bob", alice);                                                   // 403
    get("/orders", null);                                                                      // 401

    // GET /inventory/{sku}
    get("/inventory/MUG-LOGO", operator);
    get("/inventory/MUG-LOGO", alice);                                                         // 403
    get("/inventory/NO-SUCH-SKU", operator);                                                   // 404
    get("/inventory/MUG-LOGO", null);                                                          // 401

    // The console and the admin API (the live flow is a stream: ConsoleApiIT covers it)
    get("/console", null);
    get("/console/dev-token", null);                                                           // 404: not dev mode
    get("/admin/dead-letters?limit=10", operator);
    get("/admin/dead-letters?limit=0", operator);                                              // 400
    get("/admin/dead-letters", alice);                                                         // 403
    get("/admin/dead-letters", null);                                                          // 401
    post("/admin/dead-letters/discard", operator, "{\"sequences\":[987654]}", "application/json");
    post("/admin/dead-letters/send-back", operator, "{\"sequences\":[]}", "application/json"); // 422
    post("/admin/dead-letters/987654/send-back", operator, "", null);                         // 404
    delete("/admin/dead-letters/987654", operator);                                            // 404
    get("/admin/orders/" + shipped + "/events", operator);
    get("/admin/orders/0b4c7c1e-0000-4000-8000-000000000000/events", operator);                // 404

    // Operations
    get("/health/live", null);
    // Readiness may dip while a busy machine answers a topology check late: what is asserted is that 200 is described.
    eventually(() -> get("/health/ready", null), ready -> ready.statusCode() == 200);
    get("/metrics", null);
    get("/openapi.json", null);
    get("/docs", null);

    assertThat(violations).isEmpty();
    assertThat(covered).contains("placeOrder 202", "placeOrder 400", "placeOrder 401", "placeOrder 403",
        "placeOrder 413", "placeOrder 415", "placeOrder 422", "getOrder 200", "getOrder 404", "getOrder 401",
        "cancelOrder 202", "cancelOrder 409", "cancelOrder 404", "cancelOrder 401", "listOrders 200",
        "listOrders 400", "listOrders 403", "listOrders 401", "getStock 200", "getStock 403", "getStock 404",
        "getStock 401", "live 200", "ready 200", "metrics 200", "openapi 200", "docs 200", "console 200",
        "consoleDevToken 404", "listDeadLetters 200", "listDeadLetters 400", "listDeadLetters 403",
        "listDeadLetters 401", "discardDeadLetters 200", "sendBackDeadLetters 422", "sendBackDeadLetter 404",
        "discardDeadLetter 404", "orderEvents 200", "orderEvents 404");
  }

  @Test
  @DisplayName("is served open, and its page for people loads only from the service")
  void served() throws Exception {
    HttpResponse<String> document = get("/openapi.json", null);
    assertThat(document.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(document.body()).getString("openapi")).isEqualTo("3.1.0");
    HttpResponse<String> docs = get("/docs", null);
    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
        assertThat(policy).contains("default-src 'self'").contains("script-src 'self'"));
    assertThat(docs.body()).contains("swagger-ui-bundle.js").doesNotContain("https://");
    assertThat(get("/docs/swagger-ui-bundle.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/docs/index.html", null).statusCode()).as("only the assets the page needs").isEqualTo(404);
  }

  /** Checks the request against the document, forwards it, checks the answer, and relays it. */
  private static void forward(HttpServerRequest request, int validatorPort, ResponseValidator responses,
      HttpClient client, int servicePort) {
    request.body().onSuccess(body -> {
      Operation operation = contract.findOperation(request.path(), request.method());
      Future<Boolean> allowed = operation == null ? Future.succeededFuture(true)
          : send(client, request, validatorPort, body).map(verdict -> verdict.statusCode() == 204)
              .otherwise(e -> {
                synchronized (violations) {
                  violations.add(request.method() + " " + request.uri() + ": the request could not be checked: " + e);
                }
                return true;
              });
      allowed.onComplete(verdict -> send(client, request, servicePort, body)
          .compose(answer -> answer.body().compose(answerBody -> check(operation, request, verdict.result(), answer,
              answerBody, responses).map(answerBody)).compose(answerBody -> {
            request.response().setStatusCode(answer.statusCode());
            answer.headers().forEach((name, value) -> {
              if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                request.response().putHeader(name, value);
              }
            });
            return request.response().end(answerBody);
          }))
          .onFailure(e -> {
            synchronized (violations) {
              violations.add(request.method() + " " + request.uri() + ": the proxy failed: " + e);
            }
            request.response().setStatusCode(599).end(e.toString());
          }));
    });
  }

  /** A copy of {@code request} (method, URI, headers, body) to the server on {@code port}. */
  private static Future<HttpClientResponse> send(HttpClient client, HttpServerRequest request, int port, Buffer body) {
    return client.request(new RequestOptions().setMethod(request.method()).setHost("127.0.0.1").setPort(port)
            .setURI(request.uri()))
        .compose(out -> {
          request.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
              out.putHeader(name, value);
            }
          });
          return out.send(body);
        });
  }

  /** Records whether the exchange keeps to the document; completes once it is recorded. */
  private static Future<Void> check(Operation operation, HttpServerRequest request, boolean allowed,
      HttpClientResponse answer, Buffer body, ResponseValidator responses) {
    String what = request.method() + " " + request.uri() + " → " + answer.statusCode();
    if (operation == null && request.path().startsWith("/docs/")) {
      return Future.succeededFuture(); // the page's own files (Swagger UI's), part of GET /docs
    }
    if (operation == null) {
      synchronized (violations) {
        violations.add(what + ": no such operation in the document");
      }
      return Future.succeededFuture();
    }
    if (!allowed && answer.statusCode() < 400) {
      synchronized (violations) {
        violations.add(what + ": the document refuses this request, the service took it");
      }
    }
    Map<String, String> headers = new HashMap<>();
    MultiMap all = answer.headers();
    // Link (rel="next") is documented, but vertx-openapi 5.0 cannot decode a header value with quotes and ';'.
    all.names().stream().filter(name -> !name.equalsIgnoreCase("Link"))
        .forEach(name -> headers.put(name, all.get(name)));
    String contentType = answer.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("text/")) {
      // vertx-openapi 5.0 checks no text body: the status and media type must be documented.
      var documented = operation.getResponse(answer.statusCode());
      boolean ok = documented != null && documented.getContent().containsKey(checkedAs(contentType.split(";")[0]
          .trim()));
      synchronized (ok ? covered : violations) {
        (ok ? covered : violations).add(ok ? operation.getOperationId() + " " + answer.statusCode()
            : what + ": status or media type not documented");
      }
      return Future.succeededFuture();
    }
    ValidatableResponse validatable = contentType == null
        ? ValidatableResponse.create(answer.statusCode(), headers)
        : ValidatableResponse.create(answer.statusCode(), headers, body, checkedAs(contentType.split(";")[0].trim()));
    return responses.validate(validatable, operation.getOperationId())
        .onSuccess(ok -> {
          synchronized (covered) {
            covered.add(operation.getOperationId() + " " + answer.statusCode());
          }
        })
        .onFailure(e -> {
          synchronized (violations) {
            violations.add(what + ": " + e.getMessage() + " " + body.toString().substring(0,
                Math.min(200, body.length())));
          }
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** The media type a document rewritten for the validator names for {@code contentType}. */
  private static String checkedAs(String contentType) {
    return switch (contentType) {
      case "application/problem+json" -> "application/json";
      case "text/html", "text/event-stream" -> "text/plain";
      default -> contentType;
    };
  }

  private static String bearer(String subject, boolean operator) {
    return env.app().token(subject, operator);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(viaProxy(path)).GET(), token);
  }

  private static HttpResponse<String> delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(viaProxy(path)).DELETE(), token);
  }

  private static HttpResponse<String> post(String path, String token, String body, String contentType,
      String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(viaProxy(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request, token);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    // The proxy records its check of the exchange before it relays the answer.
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI viaProxy(String path) {
    int port = proxy == null ? env.app().httpPort() : proxy.actualPort();
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
