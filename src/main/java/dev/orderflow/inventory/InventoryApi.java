package dev.orderflow.inventory;

import dev.orderflow.config.Catalogue;
import dev.orderflow.http.Admission;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.http.Routes;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.Messaging;
import dev.orderflow.messaging.Topology;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /inventory/{sku}}: a SKU's available and reserved units, as stored now. */
public final class InventoryApi implements Routes {

  private final Catalogue catalogue;
  private final KeyValueStore stock;
  private final Admission admission;

  public InventoryApi(Catalogue catalogue, Messaging messaging, Admission admission) {
    this.catalogue = catalogue;
    this.admission = admission;
    this.stock = messaging.keyValue(Topology.STOCK);
  }

  @Override
  public void mount(Router router) {
    router.get("/inventory/:sku").handler(admission).handler(this::show);
  }

  private void show(RoutingContext ctx) {
    String sku = ctx.pathParam("sku");
    if (catalogue.item(sku).isEmpty()) {
      throw HttpProblem.notFound("There is no SKU " + sku + " in the catalogue");
    }
    stock.get(sku)
        .onSuccess(entry -> {
          if (entry == null) {
            ctx.fail(HttpProblem.notFound("SKU " + sku + " has no stock record yet (inventory seeds it at start-up)"));
            return;
          }
          Stock level = Stock.decode(entry.value());
          ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(new JsonObject()
                  .put("sku", sku)
                  .put("available", level.available())
                  .put("reserved", level.reserved())
                  .encode());
        })
        .onFailure(ctx::fail);
  }
}
