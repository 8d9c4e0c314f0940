package dev.orderflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.audit.AuditReport;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scenario 7: a three-node NATS cluster at 3 replicas")
class ClusterIT {

  @Test
  @DisplayName("kill -9 of the node leading the ORDERS stream under load, brought back, then kill -9 of a worker: "
      + "nothing lost, nothing doubled")
  void clusterNodeLoss() throws Exception {
    double rate = FaultLab.LONG ? 300 : 100;
    try (FaultLab lab = new FaultLab("cluster")) {
      List<NatsNode> nodes = lab.natsCluster();
      lab.gateway();
      ServiceProcess w1 = lab.worker("w1").start();
      ServiceProcess w2 = lab.worker("w2").start();
      w1.awaitReady();
      w2.awaitReady();
      long started = System.nanoTime();
      try (LoadDriver load = new LoadDriver(List.of(w1.apiUrl(), w2.apiUrl()), rate).start();
          ReadinessWatch readiness = new ReadinessWatch(Map.of("w1", w1.apiUrl() + "/health/ready",
              "w2", w2.apiUrl() + "/health/ready"))) {
        Thread.sleep(3_000); // load before the fault
        String leader = streamLeader(lab.natsUrl(), "ORDERS");
        NatsNode victim = nodes.stream().filter(n -> n.name.equals(leader)).findFirst().orElseThrow();
        victim.kill9();
        Thread.sleep(FaultLab.LONG ? 15_000 : 5_000); // the node stays away this long
        victim.start();
        Thread.sleep(3_000); // load with the node back
        w1.kill9();
        w1.start();
        w1.awaitReady();
        Thread.sleep(2_000); // load on the healed system
        load.stop();
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("readiness (ms since the load began → HTTP status, 0 refused): w1 %s; w2 %s%n",
            readiness.changes("w1"), readiness.changes("w2"));
        // While the stream had no leader neither worker could take orders, and both said so (the topology check
        // cannot read the stream); the killed worker was also out while it was down. Both end ready.
        assertThat(readiness.dippedAndRecovered("w1")).as("w1's readiness dipped and recovered").isTrue();
        assertThat(readiness.dippedAndRecovered("w2")).as("w2's readiness dipped and recovered").isTrue();
        assertThat(w1.status("/health/ready")).isEqualTo(200);
        assertThat(w2.status("/health/ready")).isEqualTo(200);
        load.settleUncertain(Duration.ofSeconds(60));
        AuditReport report = lab.audit(load, List.of(w1, w2), Duration.ofSeconds(180));
        Figures.recordAndAssert("7 cluster R3", rate, held, "kill -9 of ORDERS leader " + leader
            + ", back; kill -9 of a worker", load, report);
      }
    }
  }

  private static String streamLeader(String url, String stream) throws Exception {
    try (Connection connection = Nats.connect(Options.builder().server(url).build())) {
      return connection.jetStreamManagement().getStreamInfo(stream).getClusterInfo().getLeader();
    }
  }
}
