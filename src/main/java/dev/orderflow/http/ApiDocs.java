package dev.orderflow.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The API's contract, open to all: {@code GET /openapi.json} (the OpenAPI 3.1 document kept in the repository, the
 * one description of the API) and {@code GET /docs}, the same for people (Swagger UI from its WebJar, served from
 * here: the page asks nothing of any other site).
 */
final class ApiDocs {

  /** The Swagger UI WebJar's folder; its version is pinned in the build. */
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.35.0";
  private static final Set<String> ASSETS = Set.of("swagger-ui.css", "swagger-ui-bundle.js",
      "swagger-ui-standalone-preset.js", "favicon-32x32.png", "favicon-16x16.png");
  /** Swagger UI styles its elements inline; nothing else is let in, and nothing may frame the page. */
  private static final String POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
      + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final Buffer document = resource("openapi.json");
  private final Buffer page = resource("api-docs/index.html");
  private final Buffer initializer = resource("api-docs/orderflow-initializer.js");

  /** Installs the routes; they need no token. */
  void mount(Router router) {
    router.get("/openapi.json").handler(ctx -> send(ctx, "application/json", document));
    router.get("/docs").handler(ctx -> send(ctx, "text/html; charset=utf-8", page));
    router.get("/docs/orderflow-initializer.js").handler(ctx -> send(ctx, "text/javascript", initializer));
    router.get("/docs/:asset").handler(ctx -> {
      if (ASSETS.contains(ctx.pathParam("asset"))) {
        secured(ctx.response());
        ctx.next();
      } else {
        ctx.fail(404);
      }
    });
    router.get("/docs/*").handler(StaticHandler.create(SWAGGER_UI));
  }

  private static void send(RoutingContext ctx, String contentType, Buffer body) {
    secured(ctx.response()).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
  }

  private static HttpServerResponse secured(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", POLICY).putHeader("X-Content-Type-Options", "nosniff");
  }

  private static Buffer resource(String name) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
