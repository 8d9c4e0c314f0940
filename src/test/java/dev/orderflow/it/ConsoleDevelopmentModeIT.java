package dev.orderflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("In development mode, the console")
class ConsoleDevelopmentModeIT {

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension(new JsonObject().put("auth", new JsonObject()
      .put("mode", "development").put("hmacSecretFile", "").put("issuer", "")), null);

  @Test
  @DisplayName("hands the development operator's token to a page of this machine, which signs in with it")
  void handsOutTheOperatorToken() throws Exception {
    String answer = request("127.0.0.1:" + env.app().httpPort());
    assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("Cache-Control: no-store");
    String token = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4)).getString("token");
    assertThat(env.app().get("/admin/dead-letters", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
    assertThat(request("localhost:" + env.app().httpPort())).startsWith("HTTP/1.1 200");
  }

  @Test
  @DisplayName("hands it to nobody who calls the service by another name (a rebound DNS name, a proxy)")
  void notToOtherNames() throws Exception {
    assertThat(request("shop.example:" + env.app().httpPort())).startsWith("HTTP/1.1 404");
    assertThat(request("orderflow.internal")).startsWith("HTTP/1.1 404");
  }

  /** {@code GET /console/dev-token} with {@code host} as the Host header, over loopback. */
  private static String request(String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", env.app().httpPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /console/dev-token HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
