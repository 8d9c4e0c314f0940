package dev.orderflow.fault;

import dev.orderflow.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * More than fifty kinds of malformed or hostile HTTP request, written byte by byte on a raw socket: broken JSON,
 * deep nesting, huge numbers and strings, control characters, wrong types, header abuse, protocol abuse, slow
 * clients. Each should get a 4xx problem+json answer or a closed connection, never a 5xx.
 */
final class MalformedRequests {

  /** What came back: the status (0 when the connection closed without an answer) and the head. */
  record Outcome(String name, int status, String head) {

    boolean acceptable() {
      if (status == 0) {
        return true;
      }
      return status >= 400 && status < 500 && head.toLowerCase().contains("content-type: application/problem+json");
    }
  }

  private MalformedRequests() {}

  static Map<String, byte[]> all() {
    Map<String, byte[]> requests = new LinkedHashMap<>();
    String valid = "{\"customerId\":\"mal\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}";
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("open brace", "{");
    bodies.put("close brace", "}");
    bodies.put("array", "[]");
    bodies.put("string", "\"order\"");
    bodies.put("number", "123");
    bodies.put("null", "null");
    bodies.put("trailing garbage", valid + " x");
    bodies.put("two objects", valid + valid);
    bodies.put("line comment", "// hi\n" + valid);
    bodies.put("block comment", "{/* c */" + valid.substring(1));
    bodies.put("single quotes", valid.replace('"', '\''));
    bodies.put("trailing comma", valid.replace("]}", "],}"));
    bodies.put("NaN", valid.replace("\"quantity\":1", "\"quantity\":NaN"));
    bodies.put("duplicate key", "{\"customerId\":\"a\"," + valid.substring(1));
    bodies.put("deep arrays", "[".repeat(20_000) + "]".repeat(20_000));
    bodies.put("deep objects", "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000));
    bodies.put("huge exponent", valid.replace("\"quantity\":1", "\"quantity\":1e400"));
    bodies.put("huge integer", valid.replace("\"quantity\":1", "\"quantity\":" + "9".repeat(5_000)));
    bodies.put("negative quantity", valid.replace("\"quantity\":1", "\"quantity\":-5"));
    bodies.put("zero quantity", valid.replace("\"quantity\":1", "\"quantity\":0"));
    bodies.put("fractional quantity", valid.replace("\"quantity\":1", "\"quantity\":1.5"));
    bodies.put("quantity as string", valid.replace("\"quantity\":1", "\"quantity\":\"1\""));
    bodies.put("huge customer id", valid.replace("\"mal\"", "\"" + "m".repeat(60_000) + "\""));
    bodies.put("escaped control char", valid.replace("\"mal\"", "\"m\\u0001l\""));
    bodies.put("raw control char", valid.replace("\"mal\"", "\"m\u0001l\""));
    bodies.put("items not an array", "{\"customerId\":\"mal\",\"items\":{}}");
    bodies.put("no items", "{\"customerId\":\"mal\",\"items\":[]}");
    bodies.put("too many lines", "{\"customerId\":\"mal\",\"items\":[" + String.join(",",
        java.util.Collections.nCopies(60, "{\"sku\":\"MUG-LOGO\",\"quantity\":1}")) + "]}");
    bodies.put("unknown sku", valid.replace("MUG-LOGO", "NO-SUCH-SKU"));
    bodies.put("empty sku", valid.replace("MUG-LOGO", ""));
    bodies.put("client price", valid.replace("\"quantity\":1", "\"quantity\":1,\"unitPriceMinor\":1"));
    bodies.put("lower-case currency", valid.replace("}]}", "}],\"currency\":\"eur\"}"));
    bodies.put("other currency", valid.replace("}]}", "}],\"currency\":\"XXX\"}"));
    bodies.put("null customer", valid.replace("\"mal\"", "null"));
    bodies.put("numeric customer", valid.replace("\"mal\"", "42"));
    bodies.put("null item", "{\"customerId\":\"mal\",\"items\":[null]}");
    bodies.put("lone surrogate", valid.replace("\"mal\"", "\"\\uD800\""));
    bodies.put("empty body", "");
    bodies.forEach((name, body) -> requests.put("json: " + name, post(body.getBytes(StandardCharsets.UTF_8),
        "application/json")));
    requests.put("json: invalid UTF-8", post(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
        "application/json"));
    requests.put("json: UTF-16", post(valid.getBytes(StandardCharsets.UTF_16), "application/json"));
    requests.put("json: BOM", post(("\uFEFF" + valid).getBytes(StandardCharsets.UTF_8), "application/json"));
    requests.put("text/plain", post(valid.getBytes(StandardCharsets.UTF_8), "text/plain"));
    requests.put("no content type", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Length: " + valid.length()
        + "\r\n\r\n" + valid));
    requests.put("negative Content-Length", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nContent-Length: -1\r\n\r\n" + valid));
    requests.put("overflowing Content-Length", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n" + valid));
    requests.put("two Content-Lengths", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + "Content-Length: 5\r\nContent-Length: 7\r\n\r\n" + valid));
    requests.put("Content-Length and chunked", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    requests.put("bad chunk size", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n"));
    requests.put("chunked body that never ends", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"cus\r\n"));
    requests.put("body shorter than Content-Length", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nContent-Length: 500\r\n\r\n" + valid));
    requests.put("huge Content-Length with Expect", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nExpect: 100-continue\r\nContent-Length: 1000000000000\r\n\r\n"));
    requests.put("Transfer-Encoding gzip", raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: "
        + "application/json\r\nTransfer-Encoding: gzip\r\n\r\n" + valid));
    requests.put("header without colon", raw("GET /health/live HTTP/1.1\r\nHost: t\r\nBroken header\r\n\r\n"));
    requests.put("huge header", raw("GET /health/live HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000)
        + "\r\n\r\n"));
    requests.put("ten thousand headers", raw("GET /orders/x HTTP/1.1\r\nHost: t\r\n" + "X-A: b\r\n".repeat(10_000)
        + "\r\n"));
    requests.put("huge request line", raw("GET /orders/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("NUL request line", raw("\0".repeat(64) + "\r\n\r\n"));
    requests.put("binary garbage", new byte[] {(byte) 0x16, 3, 1, 0, (byte) 0xA5, 1, 0, 0, (byte) 0xA1, 3, 3});
    requests.put("no Host", raw("GET /orders/x HTTP/1.1\r\n\r\n"));
    requests.put("unknown method", raw("BREW /orders HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("bad method token", raw("G@T /orders HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("HTTP/9.9", raw("GET /orders/x HTTP/9.9\r\nHost: t\r\n\r\n"));
    requests.put("no version", raw("GET /orders/x\r\nHost: t\r\n\r\n"));
    requests.put("empty Idempotency-Key", postWith("Idempotency-Key: \r\n", valid));
    requests.put("long Idempotency-Key", postWith("Idempotency-Key: " + "k".repeat(300) + "\r\n", valid));
    requests.put("non-ASCII Idempotency-Key", postWith("Idempotency-Key: k\u00e9y\r\n", valid));
    requests.put("path traversal", raw("GET /orders/../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("empty id token", raw("GET /orders/a..b HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("encoded NUL id", raw("GET /orders/%00 HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("bad percent-encoding", raw("GET /inventory/%zz HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("wildcard id", raw("GET /orders/* HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("space in path", raw("GET /orders/a b HTTP/1.1\r\nHost: t\r\n\r\n"));
    requests.put("absolute-form to elsewhere", raw("GET http://evil.example/orders/x HTTP/1.1\r\nHost: t\r\n\r\n"));
    return requests;
  }

  /** Requests sent slowly: a byte at a time, the head never finished. */
  static byte[] slowHead() {
    return raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Slow: ");
  }

  private static byte[] post(byte[] body, String contentType) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + body.length + "\r\n\r\n"));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] postWith(String header, String body) {
    return raw("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + header
        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
  }

  /**
   * With an operator's token after the first {@code Host} header, so that what is malformed is read past
   * authentication (a request without a token would be a 401 whatever its body).
   */
  private static byte[] raw(String text) {
    return text.replaceFirst("\r\nHost: t\r\n", "\r\nHost: t\r\nAuthorization: Bearer " + TestTokens.operator()
        + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends {@code request}, waits up to {@code timeoutMillis} for the answer's head or for the connection to close. */
  static Outcome send(String name, int port, byte[] request, int timeoutMillis, long trickleMillis) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      try {
        if (trickleMillis > 0) {
          for (byte b : request) {
            out.write(b);
            out.flush();
            Thread.sleep(trickleMillis); // a slow client, on purpose
          }
        } else {
          out.write(request);
          out.flush();
        }
      } catch (IOException closedWhileWriting) {
        // the server may close before reading everything: that is an answer too
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      try {
        int b;
        while ((b = in.read()) != -1) {
          head.write(b);
          if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        return new Outcome(name, -1, "no answer and no close within " + timeoutMillis + " ms");
      } catch (IOException reset) {
        // closed by the server: fine
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/")) {
        return new Outcome(name, 0, text);
      }
      return new Outcome(name, Integer.parseInt(text.substring(9, 12)), text);
    } catch (IOException | InterruptedException e) {
      return new Outcome(name, 0, e.toString());
    }
  }

  static List<Outcome> sendAll(int port, int timeoutMillis) {
    List<Outcome> outcomes = new ArrayList<>();
    all().forEach((name, request) -> outcomes.add(send(name, port, request, timeoutMillis, 0)));
    return outcomes;
  }
}
