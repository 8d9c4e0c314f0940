package dev.orderflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The audit reads the accepted orders from the ORDERS stream, over HTTP and a real nats-server")
class StreamAuditIT {

  /** The simulator has a token, so the audit must present it to read the charge log. */
  private static final String GATEWAY_TOKEN = "stream-audit-gateway-token";

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension(new JsonObject().put("gateway",
      new JsonObject().put("faultsTokenFile", tokenFile())), null);

  private static String tokenFile() {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("gateway-token-", "");
      file.toFile().deleteOnExit();
      return java.nio.file.Files.writeString(file, GATEWAY_TOKEN).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static AuditOptions options(boolean fromStream, List<String> ids, Map<String, Long> initial) {
    return new AuditOptions(List.of(env.app().api().toString()), env.app().config().payments().gatewayUrl(), ids,
        List.of(), initial, env.nats().url(), null, Duration.ofSeconds(30), 8,
        env.app().token("auditor", true), fromStream, 3, List.of(), List.of(), GATEWAY_TOKEN);
  }

  @Test
  @DisplayName("finds every order without a list of ids, leaves out what is no order, and agrees with the audit of "
      + "the ids; a stock that does not add up fails it")
  void auditsTheStream() throws Exception {
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      accepted.add(env.app().placeOrder("stream-" + i, Map.of("MUG-LOGO", 2)));
    }
    accepted.add(env.app().placeOrder("stream-sold-out", Map.of("VINYL-SOLD-OUT", 1)));
    accepted.add(env.app().placeOrder("decline-stream", Map.of("POSTER-A2", 1)));
    // Published straight onto the subject, not through the API: dead-lettered, never an order.
    try (Connection connection = Nats.connect(env.nats().url())) {
      connection.jetStream().publish("orders.placed.not-an-order", new byte[] {1, 2, 3});
    }
    Map<String, Long> initial = AuditCommand.catalogue(null);

    AuditReport fromStream = Audit.run(options(true, List.of(), initial));
    System.out.println(fromStream.table());
    assertThat(fromStream.ok()).as(fromStream.table()).isTrue();
    assertThat(fromStream.audited()).isEqualTo(6);
    assertThat(fromStream.outcomes()).isEqualTo(Map.of("SHIPPED", 4L, "CANCELLED OUT_OF_STOCK", 1L,
        "CANCELLED PAYMENT_DECLINED", 1L));
    assertThat(fromStream.rows()).anySatisfy(row -> assertThat(row.detail())
        .contains("1 that are no order left out"));
    assertThat(fromStream.rows()).anySatisfy(row -> assertThat(row.detail())
        .isEqualTo("3 orders compared over GET /orders/{id}"));

    AuditReport fromIds = Audit.run(options(false, accepted, initial));
    assertThat(fromIds.ok()).as(fromIds.table()).isTrue();
    assertThat(fromIds.outcomes()).isEqualTo(fromStream.outcomes());

    Map<String, Long> wrong = new HashMap<>(initial);
    wrong.merge("MUG-LOGO", 1L, Long::sum);
    AuditReport stockOff = Audit.run(options(true, List.of(), wrong));
    assertThat(stockOff.rows()).filteredOn(row -> !row.ok()).extracting(AuditReport.Row::check)
        .containsExactly("stock = initial - units of SHIPPED orders, per SKU");
  }
}
