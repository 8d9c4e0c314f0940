package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.messaging.Handlers;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Subscription;
import dev.orderflow.messaging.Topology;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;

/**
 * The inventory context's event side, a thin adapter: seeds the catalogue's stock on first start, and hands each
 * {@code OrderPlaced} (reserve) and each {@code PaymentDeclined}, {@code PaymentFailed} or {@code PaymentRefunded}
 * (release) to
 * {@link Reservations}, which holds the protocol, over the stock bucket ({@link StockKeeper}), the inventory
 * stream's records and the write-once publish.
 */
public final class InventoryVerticle extends VerticleBase {

  private final Messaging messaging;
  private final Catalogue catalogue;
  private List<Subscription> subscriptions = List.of();

  public InventoryVerticle(Messaging messaging, Catalogue catalogue) {
    this.messaging = messaging;
    this.catalogue = catalogue;
  }

  @Override
  public Future<?> start() {
    StockKeeper stock = new StockKeeper(messaging.keyValue(Topology.STOCK));
    Reservations reservations = new Reservations(stock, Reservations.Records.of(messaging.eventLog()),
        messaging.publisher(), catalogue);
    return Future.all(catalogue.items().stream().map(item -> stock.seed(item.sku(), item.initialStock())).toList())
        .compose(seeded -> Future.all(
            messaging.subscribe(Topology.INVENTORY_ON_ORDERS, Handlers
                .of(Topology.ORDER_PLACED, d -> reservations.reserve(d.event(), d.sequence()))
                .onGiveUp(Topology.ORDER_PLACED, reservations::giveUp)),
            // A decline or failure given up as poison still says the payment did not happen: the release goes
            // ahead (it reads what to release from the order's StockReserved, not from this event).
            messaging.subscribe(Topology.INVENTORY_ON_PAYMENT_DECLINED, Handlers
                .of(Topology.PAYMENT_DECLINED, d -> reservations.release(d.event().getOrderId()))
                .onGiveUp(Topology.PAYMENT_DECLINED, (e, why) -> reservations.releasePlaced(e.getOrderId()))),
            messaging.subscribe(Topology.INVENTORY_ON_PAYMENT_FAILED, Handlers
                .of(Topology.PAYMENT_FAILED, d -> reservations.release(d.event().getOrderId()))
                .onGiveUp(Topology.PAYMENT_FAILED, (e, why) -> reservations.releasePlaced(e.getOrderId()))),
            // A refund follows a cancellation on request: the order will not ship, so its stock goes back.
            messaging.subscribe(Topology.INVENTORY_ON_PAYMENT_REFUNDED, Handlers
                .of(Topology.PAYMENT_REFUNDED, d -> reservations.release(d.event().getOrderId()))
                .onGiveUp(Topology.PAYMENT_REFUNDED, (e, why) -> reservations.releasePlaced(e.getOrderId())))))
        .onSuccess(all -> subscriptions = all.list());
  }

  @Override
  public Future<?> stop() {
    return Future.all(subscriptions.stream().map(Subscription::stop).toList());
  }
}
