package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orderflow.Orderflow;
import dev.orderflow.testing.NatsTestServer;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Start-up against a NATS that is not ready yet")
class StartupIT {

  private final Logger log = (Logger) LoggerFactory.getLogger(Orderflow.class);
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private NatsTestServer nats;

  @BeforeEach
  void setUp() {
    warnings.start();
    log.addAppender(warnings);
    nats = NatsTestServer.start();
    nats.stop();
  }

  @AfterEach
  void tearDown() {
    log.detachAppender(warnings);
    nats.close();
  }

  @Test
  @DisplayName("keeps trying until the server is there, then starts and carries orders")
  void waitsForTheServer() throws Exception {
    CompletableFuture<TestOrderflow> starting = CompletableFuture.supplyAsync(() -> {
      try {
        return TestOrderflow.start(nats, startupTimeout(60));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    try {
      eventually(Duration.ofSeconds(30), this::waitingLines, lines -> !lines.isEmpty());
      assertThat(starting).isNotDone();
      assertThat(waitingLines().get(0)).contains(nats.url()).contains("trying again for up to");
    } catch (RuntimeException | AssertionError e) {
      // The service still starts once the server is back: stop it then, so that a failing test leaves nothing.
      starting.thenAccept(StartupIT::closeQuietly);
      throw e;
    } finally {
      nats.restart();
    }

    try (TestOrderflow app = starting.get(60, TimeUnit.SECONDS)) {
      String orderId = app.placeOrder("wanda", Map.of("MUG-LOGO", 1));
      app.awaitStatus(orderId, "SHIPPED");
    }
  }

  @Test
  @DisplayName("gives up after nats.startupTimeoutSeconds, saying so")
  void givesUp() {
    assertThatThrownBy(() -> TestOrderflow.start(nats, startupTimeout(1)).close())
        .hasStackTraceContaining("was not ready within 1 s (nats.startupTimeoutSeconds)")
        .hasStackTraceContaining(nats.url());
  }

  @Test
  @DisplayName("does not wait when the server refuses its streams outright (another stream on its subjects)")
  void refusedAssetsAreNotRetried() throws Exception {
    nats.restart();
    nats.management().addStream(StreamConfiguration.builder()
        .name("SQUATTER").subjects("orders.>").storageType(StorageType.File).build());

    assertThatThrownBy(() -> TestOrderflow.start(nats, startupTimeout(60)).close())
        .hasStackTraceContaining("NATS refused Orderflow's JetStream assets");
    assertThat(waitingLines()).isEmpty();
  }

  private static void closeQuietly(TestOrderflow app) {
    try {
      app.close();
    } catch (Exception e) {
      // already failing: the test's own failure is the one to report
    }
  }

  private List<String> waitingLines() {
    synchronized (warnings) { // the appender appends under its own lock, from the service's threads
      return warnings.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(line -> line.contains("is not ready yet"))
          .toList();
    }
  }

  private static JsonObject startupTimeout(int seconds) {
    return new JsonObject().put("nats", new JsonObject().put("startupTimeoutSeconds", seconds));
  }
}
