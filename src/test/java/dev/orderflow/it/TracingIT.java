package dev.orderflow.it;

import static dev.orderflow.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.testing.OrderflowExtension;
import dev.orderflow.testing.TestOrderflow;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Tracing")
class TracingIT {

  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  private static final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private static final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
      .build();

  @RegisterExtension
  static final OrderflowExtension env = new OrderflowExtension(new JsonObject(), openTelemetry);

  @AfterAll
  static void closeTracing() {
    openTelemetry.close();
  }

  @Test
  @DisplayName("follows one order in one trace: the POST, every publish, every consumer, and the gateway call")
  void oneTracePerOrder() throws Exception {
    String orderId = env.app().placeOrder("quinn", Map.of("MUG-LOGO", 1));
    env.app().awaitStatus(orderId, "SHIPPED");
    // The trace of this order (other tests place orders too): the one its OrderPlaced was published in.
    String traceId = eventually(() -> exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER
            && ("orders.placed." + orderId).equals(s.getAttributes().get(DESTINATION)))
        .map(SpanData::getTraceId).findFirst().orElse(null), id -> id != null);
    List<SpanData> trace = eventually(() -> inTrace(traceId), spans -> spans.stream().anyMatch(s ->
        s.getKind() == SpanKind.PRODUCER && s.getName().equals("publish shipping.shipment-scheduled.{order_id}")));
    SpanData post = trace.stream()
        .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().startsWith("POST")
            && "/orders".equals(s.getAttributes().get(AttributeKey.stringKey("url.path"))))
        .findFirst().orElseThrow(() -> new AssertionError("no POST /orders span in the order's trace"));

    assertThat(post.getParentSpanContext().isValid()).as("the POST starts the trace").isFalse();
    SpanData placed = producer(trace, "orders.placed." + orderId, orderId + ":OrderPlaced");
    assertThat(placed.getParentSpanId()).isEqualTo(post.getSpanId());
    SpanData reserving = consumer(trace, "orders.placed." + orderId, "inventory-orders", placed);

    SpanData reserved = producer(trace, "inventory.stock-reserved." + orderId, orderId + ":StockReserved");
    assertThat(reserved.getParentSpanId()).isEqualTo(reserving.getSpanId());
    SpanData charging = consumer(trace, "inventory.stock-reserved." + orderId, "payments-inventory", reserved);

    SpanData gatewayCall = trace.stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT && s.getParentSpanId().equals(charging.getSpanId()))
        .findFirst().orElseThrow(() -> new AssertionError("no gateway call under " + charging.getName()));
    assertThat(String.valueOf(gatewayCall.getAttributes().get(AttributeKey.stringKey("url.full"))))
        .contains("/v1/charges");

    SpanData authorized = producer(trace, "payments.authorized." + orderId, orderId + ":PaymentAuthorized");
    assertThat(authorized.getParentSpanId()).isEqualTo(charging.getSpanId());
    SpanData confirming = consumer(trace, "payments.authorized." + orderId, "orders-payments", authorized);

    SpanData confirmed = producer(trace, "orders.confirmed." + orderId, orderId + ":OrderConfirmed");
    assertThat(confirmed.getParentSpanId()).isEqualTo(confirming.getSpanId());
    SpanData shipping = consumer(trace, "orders.confirmed." + orderId, "shipping-orders", confirmed);

    SpanData scheduled = producer(trace, "shipping.shipment-scheduled." + orderId, orderId + ":ShipmentScheduled");
    assertThat(scheduled.getParentSpanId()).isEqualTo(shipping.getSpanId());
  }

  @Test
  @DisplayName("carries none of a caller's baggage into the events, nor the order id (the event names it): only "
      + "the trace context")
  void noBaggageInTheEvents() throws Exception {
    var response = env.app().postJson("/orders", TestOrderflow.order("sara", Map.of("MUG-LOGO", 1)),
        "baggage", "shop=eu-west,note=" + "x".repeat(4_000));
    assertThat(response.statusCode()).isEqualTo(202);
    String orderId = new JsonObject(response.body()).getString("orderId");
    env.app().awaitStatus(orderId, "SHIPPED");
    for (String[] event : new String[][] {{"ORDERS", "orders.placed."}, {"INVENTORY", "inventory.stock-reserved."},
        {"ORDERS", "orders.confirmed."}, {"SHIPPING", "shipping.shipment-scheduled."}}) {
      List<MessageInfo> stored = env.nats().messages(event[0], event[1] + orderId);
      assertThat(stored).as(event[1]).hasSize(1);
      Headers headers = stored.get(0).getHeaders();
      assertThat(headers.getFirst("traceparent")).as(event[1] + " traceparent").isNotBlank();
      assertThat(headers.getFirst("baggage")).as(event[1] + " baggage").isNull();
    }
  }

  @Test
  @DisplayName("records a handler's failure on its consumer span")
  void failuresAreRecorded() throws Exception {
    env.app().gatewayFaults(new JsonObject().put("errorRate", 1.0));
    try {
      String orderId = env.app().placeOrder("ruth", Map.of("MUG-LOGO", 1));
      SpanData failed = eventually(() -> exporter.getFinishedSpanItems().stream()
          .filter(s -> consumerOf(s, "inventory.stock-reserved." + orderId, "payments-inventory"))
          .filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)
          .findFirst().orElse(null), span -> span != null);
      assertThat(failed.getEvents()).anyMatch(event -> event.getName().equals("exception"));
      env.app().gatewayFaults(new JsonObject().put("errorRate", 0.0));
      env.app().awaitStatus(orderId, "SHIPPED");
    } finally {
      env.app().gatewayFaults(new JsonObject().put("errorRate", 0.0));
    }
  }

  private static List<SpanData> inTrace(String traceId) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
  }

  private static SpanData producer(List<SpanData> trace, String subject, String messageId) {
    List<SpanData> found = trace.stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER && subject.equals(s.getAttributes().get(DESTINATION)))
        .toList();
    assertThat(found).as("producer spans of %s", subject).hasSize(1);
    SpanData span = found.get(0);
    assertThat(span.getAttributes().get(SYSTEM)).isEqualTo("nats");
    assertThat(span.getAttributes().get(MESSAGE_ID)).isEqualTo(messageId);
    return span;
  }

  private static SpanData consumer(List<SpanData> trace, String subject, String group, SpanData producer) {
    List<SpanData> found = trace.stream().filter(s -> consumerOf(s, subject, group)).toList();
    assertThat(found).as("%s processing %s", group, subject).hasSize(1);
    SpanData span = found.get(0);
    assertThat(span.getParentSpanId()).as("%s is a child of the publish", span.getName())
        .isEqualTo(producer.getSpanId());
    assertThat(span.getAttributes().get(SYSTEM)).isEqualTo("nats");
    return span;
  }

  private static boolean consumerOf(SpanData span, String subject, String group) {
    return span.getKind() == SpanKind.CONSUMER && subject.equals(span.getAttributes().get(DESTINATION))
        && group.equals(span.getAttributes().get(GROUP));
  }
}
