package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Slow and many connections from one client")
class SlowClientsIT {

  private static final int READ_TIMEOUT_MILLIS = 1_500;
  private static final int MAX_CONNECTIONS = 5;
  private static final String HEALTH = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension(new JsonObject()
      .put("http", new JsonObject().put("requestReadTimeoutMs", READ_TIMEOUT_MILLIS))
      .put("limits", new JsonObject().put("maxConnectionsPerClient", MAX_CONNECTIONS)), null);

  @Test
  @DisplayName("closes a kept-alive connection whose next request does not arrive within http.requestReadTimeoutMs, "
      + "however slowly its header lines trickle in")
  void slowHeadersAfterTheFirstRequest() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
      assertThat(readAnswer(socket.getInputStream())).startsWith("HTTP/1.1 200");
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      boolean closed = false;
      // A header line every 400 ms: never idle for long, never done. It was held open for as long as it went on.
      for (int line = 0; line < 20 && !closed; line++) {
        try {
          socket.getOutputStream().write(("X-Slow-" + line + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          socket.setSoTimeout(400);
          closed = socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // the line went in; keep trickling
        } catch (IOException reset) {
          closed = true;
        }
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(closed).as("closed within 8 s").isTrue();
      assertThat(millis).isBetween((long) READ_TIMEOUT_MILLIS - 100, 3L * READ_TIMEOUT_MILLIS);
    }
  }

  @Test
  @DisplayName("keeps a kept-alive connection that brings its next request in time")
  void promptRequestsKeepTheConnection() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      for (int i = 0; i < 3; i++) {
        socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
        assertThat(readAnswer(socket.getInputStream())).startsWith("HTTP/1.1 200");
        Thread.sleep(READ_TIMEOUT_MILLIS / 3); // the client's own pace between requests, not a wait for the server
      }
    }
  }

  @Test
  @DisplayName("closes at once the connections of one client beyond limits.maxConnectionsPerClient, and spares an "
      + "exempt (loopback) address")
  void connectionsPerClient() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      // 127.0.0.2 is loopback to the kernel but not in limits.exemptClients (127.0.0.1, ::1): an ordinary client.
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        held.add(connect("127.0.0.2"));
      }
      for (Socket socket : held) {
        socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
        assertThat(readAnswer(socket.getInputStream())).startsWith("HTTP/1.1 200");
      }
      try (Socket beyond = connect("127.0.0.2")) {
        beyond.setSoTimeout(5_000);
        assertThat(closedWithoutAnswer(beyond)).as("the connection beyond the limit is closed").isTrue();
      }
      held.remove(0).close();
      eventuallyServed("127.0.0.2");
      for (int i = 0; i < MAX_CONNECTIONS + 3; i++) {
        held.add(connect("127.0.0.1"));
      }
      for (Socket socket : held.subList(held.size() - MAX_CONNECTIONS - 3, held.size())) {
        socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
        assertThat(readAnswer(socket.getInputStream())).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /** Polls until a new connection from {@code local} is served (the server sees a close a moment later). */
  private static void eventuallyServed(String local) throws Exception {
    dev.orderflow.testing.Eventually.eventually(() -> {
      try (Socket socket = connect(local)) {
        socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
        return readAnswer(socket.getInputStream());
      } catch (IOException closed) {
        return "";
      }
    }, answer -> answer.startsWith("HTTP/1.1 200"));
  }

  private static boolean closedWithoutAnswer(Socket socket) throws IOException {
    try {
      socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static Socket connect(String local) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(local, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", env.app().httpPort()), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** One answer: its head and as many body bytes as Content-Length says. */
  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return head.toString();
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
    byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
    return head + new String(body, StandardCharsets.UTF_8);
  }
}
