package dev.orderflow.payments;

import dev.orderflow.config.PaymentsConfig;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;

/**
 * The payments context's event side, a thin adapter: hands each {@code StockReserved} to {@link Charging} and each
 * {@code OrderCancelled} to {@link Refunds}, which hold the protocols, over the gateway ({@link GatewayClient}), the
 * payments stream's records and the write-once publish.
 */
public final class PaymentsVerticle extends VerticleBase {

  private final Messaging messaging;
  private final PaymentsConfig config;
  private final MeterRegistry registry;
  private List<Subscription> subscriptions = List.of();

  public PaymentsVerticle(Messaging messaging, PaymentsConfig config, MeterRegistry registry) {
    this.messaging = messaging;
    this.registry = registry;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    GatewayClient gateway = new GatewayClient(vertx, config, registry);
    Charging charging = new Charging(gateway, Charging.Records.of(messaging.eventLog()), messaging.publisher());
    Refunds refunds = new Refunds(gateway, Refunds.Records.of(messaging.eventLog()), messaging.publisher());
    return Future.all(
            messaging.subscribe(Topology.PAYMENTS_ON_INVENTORY, Handlers.of(Topology.STOCK_RESERVED, charging::charge)
                .onGiveUp(Topology.STOCK_RESERVED, charging::giveUp)),
            messaging.subscribe(Topology.PAYMENTS_ON_ORDER_CANCELLED,
                Handlers.of(Topology.ORDER_CANCELLED, refunds::onCancelled)))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(Subscription::stop).toList());
  }
}
