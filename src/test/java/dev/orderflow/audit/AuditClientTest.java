package dev.orderflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The audit's reads")
class AuditClientTest {

  private final List<HttpServer> servers = new java.util.ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(server -> server.stop(0));
  }

  @Test
  @DisplayName("read the stock where --inventory points when the inventory role runs apart from the orders role")
  void stockFromTheInventoryAddress() throws Exception {
    String orders = serve("{\"status\":\"SHIPPED\"}", 404);
    String inventory = serve("{\"sku\":\"MUG-LOGO\",\"available\":7,\"reserved\":0}", 200);
    AuditOptions options = AuditCommand.parse(new String[] {"--ids-from-stream", "--nats", "nats://127.0.0.1:1",
        "--api", orders, "--inventory", inventory, "--initial", "MUG-LOGO=7"});
    assertThat(options.inventoryUrls()).containsExactly(inventory);

    AuditClient client = new AuditClient(options.apiUrls(), options.inventoryUrls(), 1, null, null);
    assertThat(client.stock("MUG-LOGO").getLong("available")).isEqualTo(7);
  }

  @Test
  @DisplayName("read the stock from the API when no --inventory is given (one process serves both)")
  void stockFromTheApiByDefault() throws Exception {
    String api = serve("{\"sku\":\"MUG-LOGO\",\"available\":3,\"reserved\":1}", 200);
    AuditOptions options = AuditCommand.parse(new String[] {"--ids-from-stream", "--nats", "nats://127.0.0.1:1",
        "--api", api, "--initial", "MUG-LOGO=4"});
    assertThat(options.inventoryUrls()).isEmpty();

    AuditClient client = new AuditClient(options.apiUrls(), options.inventoryUrls(), 1, null, null);
    assertThat(client.stock("MUG-LOGO").getLong("reserved")).isEqualTo(1);
  }

  /** A server on a free loopback port that answers {@code /inventory/*} with {@code status} and {@code body}. */
  private String serve(String body, int status) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/inventory/", exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }
}
