package dev.orderflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A stage's deployments")
class DeploymentsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("undeploy what a start that failed half-way had deployed, and only once")
  void undeployWhatStarted() {
    AtomicInteger stopped = new AtomicInteger();
    Deployments deployments = new Deployments(vertx);
    String other = vertx.deployVerticle(new Counting(stopped, false)).await();

    Future<Void> started = deployments.deploy(new Counting(stopped, false))
        .compose(v -> deployments.deploy(() -> new Counting(stopped, false), 2))
        .compose(v -> deployments.deploy(new Counting(stopped, true)));
    assertThat(started.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));

    deployments.undeploy().await();
    assertThat(stopped).as("the one verticle and both instances").hasValue(3);
    assertThat(vertx.deploymentIDs()).as("another stage's verticle is not this stage's to stop").containsOnly(other);

    deployments.undeploy().await();
    assertThat(stopped).hasValue(3);
  }

  /** Counts its stops; fails its start if asked to. */
  private static final class Counting extends VerticleBase {
    private final AtomicInteger stopped;
    private final boolean failing;

    Counting(AtomicInteger stopped, boolean failing) {
      this.stopped = stopped;
      this.failing = failing;
    }

    @Override
    public Future<?> start() {
      return failing ? Future.failedFuture("refused") : Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      stopped.incrementAndGet();
      return Future.succeededFuture();
    }
  }
}
