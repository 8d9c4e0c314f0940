package dev.orderflow.testing;

import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own nats-server and Orderflow: started before its tests, stopped after them (also when they
 * fail). Register it with {@code @RegisterExtension static final OrderflowExtension env = ...}.
 */
public final class OrderflowExtension implements BeforeAllCallback, AfterAllCallback {

  private final JsonObject overrides;
  private final OpenTelemetry openTelemetry;
  private NatsTestServer nats;
  private TestOrderflow orderflow;

  /** Every role, with {@link TestOrderflow}'s fast test settings. */
  public OrderflowExtension() {
    this(new JsonObject(), null);
  }

  /**
   * @param overrides settings over the test settings
   * @param openTelemetry where spans go (null: nowhere)
   */
  public OrderflowExtension(JsonObject overrides, OpenTelemetry openTelemetry) {
    this.overrides = overrides;
    this.openTelemetry = openTelemetry;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    nats = NatsTestServer.start();
    orderflow = openTelemetry == null
        ? TestOrderflow.start(nats, overrides)
        : TestOrderflow.start(nats, overrides, openTelemetry);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (orderflow != null) {
        orderflow.close();
      }
    } finally {
      if (nats != null) {
        nats.close();
      }
    }
  }

  public NatsTestServer nats() {
    return nats;
  }

  public TestOrderflow app() {
    return orderflow;
  }
}
