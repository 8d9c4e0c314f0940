package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Graceful shutdown of the API")
class GracefulShutdownIT {

  @Test
  @DisplayName("stops accepting connections first; a connection open before, idle or not yet used, still gets its "
      + "request answered 503 shutting-down with Connection: close, then closes")
  void connectionsOpenAtTheLastMomentAreAnswered() throws Exception {
    try (NatsTestServer nats = NatsTestServer.start();
        TestOrderflow orderflow = TestOrderflow.start(nats,
            new JsonObject().put("http", new JsonObject().put("instances", 2)))) {
      int port = orderflow.app().httpPort();
      String token = orderflow.token("alice", false);
      try (Socket used = connect(port); Socket fresh = connect(port)) {
        // One connection has served a request and idles (keep-alive); the other was opened and never used.
        used.getOutputStream().write(get("/health/live"));
        assertThat(readResponse(used.getInputStream())).startsWith("HTTP/1.1 200");

        long stopping = System.nanoTime();
        Future<Void> stopped = orderflow.app().stop();
        awaitRefused(port, Duration.ofSeconds(30));

        // The socket no longer accepts, yet both connections are still served, each for one last request.
        fresh.getOutputStream().write(postOrder(token));
        String refused = readResponse(fresh.getInputStream());
        assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("connection: close")
            .containsIgnoringCase("retry-after:").contains("shutting-down");
        assertThat(fresh.getInputStream().read()).as("closed after the answer").isEqualTo(-1);

        used.getOutputStream().write(get("/health/live"));
        assertThat(readResponse(used.getInputStream())).startsWith("HTTP/1.1 ")
            .containsIgnoringCase("connection: close");
        assertThat(used.getInputStream().read()).as("closed after the answer").isEqualTo(-1);

        stopped.await();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("no connection left to wait for")
            .isLessThan(Duration.ofSeconds(30));
      }
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Polls until a new connection is refused: the listening socket has closed. */
  private static void awaitRefused(int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      } catch (ConnectException refused) {
        return;
      }
      assertThat(System.nanoTime()).as("the API stops accepting connections").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] postOrder(String token) {
    String body = "{\"customerId\":\"alice\",\"items\":[{\"sku\":\"MUG-LOGO\",\"quantity\":1}]}";
    return ("POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** One response: its head, and a body of the length the head gives. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("a complete response head").isNotEqualTo(-1);
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
        .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(0);
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
