package dev.orderflow.console;

import dev.orderflow.http.HttpProblem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * The console's few files, read from the class path once at start-up and served from memory: the page, its script
 * and style sheet, and uPlot from its WebJar. No build tool, nothing fetched at run time.
 */
final class ConsoleAssets {

  private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
  private static final String WEBJAR_VERSION = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  private record Asset(Buffer body, String contentType, String etag) {}

  private final Asset page;
  private final Map<String, Asset> files;

  ConsoleAssets() {
    String uplot = WEBJAR + webJarVersion() + "/dist/";
    this.page = load("console/index.html", "text/html; charset=utf-8");
    this.files = Map.of(
        "console.js", load("console/console.js", "text/javascript; charset=utf-8"),
        "console.css", load("console/console.css", "text/css; charset=utf-8"),
        "uplot.js", load(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "uplot.css", load(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
  }

  /** {@code GET /console}: the page. */
  void page(RoutingContext ctx) {
    send(ctx, page);
  }

  /** {@code GET /console/assets/{file}}. */
  void file(RoutingContext ctx) {
    Asset asset = files.get(ctx.pathParam("file"));
    if (asset == null) {
      throw HttpProblem.notFound("No resource at " + ctx.request().path());
    }
    send(ctx, asset);
  }

  private static void send(RoutingContext ctx, Asset asset) {
    // Revalidated every time (the ETag makes it cheap), so that a new version of the service is seen at once.
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader(HttpHeaders.ETAG, asset.etag());
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.body());
  }

  private static String webJarVersion() {
    Properties properties = new Properties();
    try (InputStream in = resource(WEBJAR_VERSION)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static Asset load(String path, String contentType) {
    try (InputStream in = resource(path)) {
      byte[] bytes = in.readAllBytes();
      String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
      return new Asset(Buffer.buffer(bytes), contentType, etag);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's " + path, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IOException("missing from the class path: " + path);
    }
    return in;
  }
}
