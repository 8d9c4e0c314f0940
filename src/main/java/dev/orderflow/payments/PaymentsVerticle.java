package dev.orderflow.payments;

import dev.orderflow.config.PaymentsConfig;
import dev.orderflow.messaging.EventSubscription;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.NatsBridge;
import dev.orderflow.messaging.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The payments context's event side, a thin adapter: hands each {@code StockReserved} to {@link Charging}, which
 * holds the protocol, over the gateway ({@link GatewayClient}), the payments stream's records and the write-once
 * publish.
 */
public final class PaymentsVerticle extends VerticleBase {

  private final NatsBridge bridge;
  private final PaymentsConfig config;
  private final MeterRegistry registry;
  private EventSubscription subscription;

  public PaymentsVerticle(NatsBridge bridge, PaymentsConfig config, MeterRegistry registry) {
    this.bridge = bridge;
    this.registry = registry;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Charging charging = new Charging(new GatewayClient(vertx, config, registry),
        Charging.Records.of(bridge.eventLog()), bridge.publisher());
    return bridge.subscribe(Topology.PAYMENTS_ON_INVENTORY, Handlers.of(Topology.STOCK_RESERVED, charging::charge)
            .onGiveUp(Topology.STOCK_RESERVED, charging::giveUp))
        .onSuccess(s -> subscription = s);
  }

  @Override
  public Future<?> stop() {
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }
}
