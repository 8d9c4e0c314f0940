package dev.orderflow;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The verticles one {@link Stage} deployed, so that its stop undeploys exactly those, including the ones a start
 * that failed half-way had already deployed.
 */
final class Deployments {

  private final Vertx vertx;
  private final List<String> ids = new CopyOnWriteArrayList<>();

  Deployments(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<Void> deploy(VerticleBase verticle) {
    return vertx.deployVerticle(verticle).map(this::deployed);
  }

  Future<Void> deploy(Supplier<? extends VerticleBase> instance, int instances) {
    return vertx.deployVerticle(instance::get, new DeploymentOptions().setInstances(instances)).map(this::deployed);
  }

  /** Undeploys them all at once; completes when each has stopped or failed to (failing if one did). */
  Future<Void> undeploy() {
    List<String> deployed = List.copyOf(ids);
    ids.removeAll(deployed);
    return Future.join(deployed.stream().map(vertx::undeploy).toList()).mapEmpty();
  }

  private Void deployed(String id) {
    ids.add(id);
    return null;
  }
}
