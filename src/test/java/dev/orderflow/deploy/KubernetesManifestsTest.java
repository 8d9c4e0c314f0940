package dev.orderflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Kubernetes manifests in deploy/k8s")
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("deploy/k8s");
  private static final Set<String> ROLES = Set.of("orders", "inventory", "payments", "shipping", "gateway");
  /** The service's drain after SIGTERM: nats.drainTimeoutMs (10 s) plus stopping HTTP and the connection. */
  private static final long DRAIN_SECONDS = 15;

  private static final List<HasMetadata> resources = new ArrayList<>();

  @BeforeAll
  static void readAll() throws IOException {
    for (Path file : manifestFiles()) {
      resources.addAll(StrictKubernetesYaml.read(file));
    }
  }

  @Test
  @DisplayName("fit the Kubernetes schema, without a field the schema does not know")
  void fitTheSchema() {
    assertThat(resources).isNotEmpty();
    // readAll() has already read every document strictly; this shows that the reader is strict.
    Path file = K8S.resolve("orders.yaml");
    JsonNode misspelt = StrictKubernetesYaml.documents(file).get(0).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) misspelt.path("spec").path("template").path("spec")
        .path("containers").get(0)).putObject("readynessProbe");
    assertThatThrownBy(() -> StrictKubernetesYaml.read(file, misspelt))
        .hasMessageContaining("does not fit the Kubernetes schema").hasMessageContaining("readynessProbe");
  }

  @Test
  @DisplayName("run each role in a Deployment of its own, the orders role at least twice")
  void aDeploymentPerRole() {
    Map<String, Deployment> byRole = new TreeMap<>();
    for (Deployment deployment : deployments()) {
      byRole.put(env(container(deployment), "ORDERFLOW_ROLES"), deployment);
    }
    assertThat(byRole.keySet()).isEqualTo(new TreeSet<>(ROLES));
    assertThat(byRole.get("orders").getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    // The gateway simulator keeps its charges in memory: exactly one.
    assertThat(byRole.get("gateway").getSpec().getReplicas()).isEqualTo(1);
    for (Deployment deployment : deployments()) {
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
          .as("%s selects its own pods", name(deployment))
          .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }
  }

  @Test
  @DisplayName("probe readiness and liveness on the health endpoints, set resources, run as non-root")
  void probesResourcesAndUser() {
    for (Deployment deployment : deployments()) {
      Container container = container(deployment);
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).as(name(deployment)).isEqualTo("/health/ready");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).as(name(deployment)).isEqualTo("/health/live");
      assertThat(container.getResources().getRequests()).as(name(deployment)).containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).as(name(deployment)).containsKey("memory");
      assertThat(pod(deployment).getSecurityContext().getRunAsNonRoot()).as(name(deployment)).isTrue();
    }
  }

  @Test
  @DisplayName("give each pod more time to stop than the service's drain takes")
  void gracefulTermination() {
    for (Deployment deployment : deployments()) {
      assertThat(pod(deployment).getTerminationGracePeriodSeconds()).as(name(deployment))
          .isGreaterThan(DRAIN_SECONDS + 5);
    }
  }

  @Test
  @DisplayName("take their configuration from the ConfigMaps and the Secret that are there, at 3 replicas")
  void configuration() throws IOException {
    Set<String> configMaps = names(ConfigMap.class);
    Set<String> secrets = names(Secret.class);
    for (Deployment deployment : deployments()) {
      Container container = container(deployment);
      container.getEnvFrom().forEach(from -> assertThat(configMaps).contains(from.getConfigMapRef().getName()));
      container.getEnv().stream().filter(e -> e.getValueFrom() != null)
          .forEach(e -> assertThat(secrets).contains(e.getValueFrom().getSecretKeyRef().getName()));
      pod(deployment).getVolumes().stream().filter(v -> v.getConfigMap() != null)
          .forEach(v -> assertThat(configMaps).contains(v.getConfigMap().getName()));
    }
    ConfigMap config = of(ConfigMap.class).stream().filter(c -> c.getData().containsKey("orderflow.json"))
        .findFirst().orElseThrow();
    JsonNode orderflow = new ObjectMapper().readTree(config.getData().get("orderflow.json"));
    assertThat(orderflow.path("nats").path("replicas").asInt()).isEqualTo(3);
  }

  @Test
  @DisplayName("expose the API and the gateway simulator through Services that select pods")
  void services() {
    List<Map<String, String>> podLabels = deployments().stream()
        .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).toList();
    assertThat(names(Service.class)).contains("orderflow-api", "orderflow-inventory", "orderflow-gateway");
    for (Service service : of(Service.class)) {
      assertThat(podLabels).as("pods of Service %s", service.getMetadata().getName())
          .anySatisfy(labels -> assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector()));
    }
  }

  @Test
  @DisplayName("reach every role that serves clients through a Service: /orders, /inventory, the gateway simulator")
  void everyServingRoleHasAService() {
    // Each role's routes are on its own listener: the orders role serves /orders, the inventory role /inventory,
    // the gateway role the simulator's /v1/charges. A Service that selects only the orders pods leaves
    // GET /inventory unreachable, and bin/audit with it.
    for (String role : List.of("orders", "inventory", "gateway")) {
      Deployment deployment = deployments().stream()
          .filter(d -> role.equals(env(container(d), "ORDERFLOW_ROLES"))).findFirst().orElseThrow();
      Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
      Set<String> containerPorts = new TreeSet<>();
      container(deployment).getPorts().forEach(p -> containerPorts.add(p.getName()));
      assertThat(of(Service.class)).as("a Service for role %s", role).anySatisfy(service -> {
        assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts())
            .anySatisfy(port -> assertThat(containerPorts).contains(port.getTargetPort().getStrVal()));
      });
    }
  }

  @Test
  @DisplayName("are all listed in kustomization.yaml")
  void kustomization() throws IOException {
    JsonNode kustomization = StrictKubernetesYaml.documents(K8S.resolve("kustomization.yaml")).get(0);
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>();
    manifestFiles().forEach(f -> files.add(f.getFileName().toString()));
    assertThat(listed).isEqualTo(files);
  }

  @Test
  @DisplayName("come with values for the NATS Helm chart: a 3-node JetStream cluster")
  void natsValues() {
    JsonNode values = StrictKubernetesYaml.documents(K8S.resolve("nats/values.yaml")).get(0);
    assertThat(values.path("config").path("cluster").path("enabled").asBoolean()).isTrue();
    assertThat(values.path("config").path("cluster").path("replicas").asInt()).isEqualTo(3);
    assertThat(values.path("config").path("jetstream").path("enabled").asBoolean()).isTrue();
    assertThat(values.path("config").path("jetstream").path("fileStore").path("enabled").asBoolean()).isTrue();
  }

  @Test
  @DisplayName("set GOMEMLIMIT for nats-server below its memory limit (the chart does not derive it)")
  void natsMemoryLimit() {
    JsonNode container = StrictKubernetesYaml.documents(K8S.resolve("nats/values.yaml")).get(0).path("container");
    String gomemlimit = container.path("env").path("GOMEMLIMIT").asText();
    assertThat(gomemlimit).as("container.env.GOMEMLIMIT").isNotEmpty();
    long limit = Quantity.getAmountInBytes(new Quantity(
        container.path("merge").path("resources").path("limits").path("memory").asText())).longValueExact();
    // Go writes MiB/GiB where Kubernetes writes Mi/Gi.
    long soft = Quantity.getAmountInBytes(new Quantity(gomemlimit.replaceAll("iB$", "i"))).longValueExact();
    assertThat(soft).as("GOMEMLIMIT %s against the limit", gomemlimit).isLessThan(limit).isGreaterThan(limit / 2);
  }

  private static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(K8S)) {
      return files.filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
  }

  private static <T extends HasMetadata> List<T> of(Class<T> kind) {
    return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static Set<String> names(Class<? extends HasMetadata> kind) {
    Set<String> names = new TreeSet<>();
    of(kind).forEach(r -> names.add(r.getMetadata().getName()));
    return names;
  }

  private static List<Deployment> deployments() {
    return of(Deployment.class);
  }

  private static PodSpec pod(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  @Test
  @DisplayName("give the API roles their token key from a Secret (production mode refuses to start without one)")
  void apiKeysFromASecret() {
    for (Deployment deployment : deployments()) {
      Container container = container(deployment);
      String role = env(container, "ORDERFLOW_ROLES");
      if (role.equals("orders") || role.equals("inventory")) {
        assertThat(container.getEnv().stream().filter(e -> e.getName().equals("ORDERFLOW_AUTH_HMAC_SECRET"))
            .map(e -> e.getValueFrom().getSecretKeyRef().getName()))
            .as(name(deployment)).containsExactly("orderflow-auth");
      }
    }
  }

  private static Container container(Deployment deployment) {
    assertThat(pod(deployment).getContainers()).as(name(deployment)).hasSize(1);
    return pod(deployment).getContainers().get(0);
  }

  private static String env(Container container, String variable) {
    return container.getEnv().stream().filter(e -> e.getName().equals(variable)).map(EnvVar::getValue)
        .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " does not set " + variable));
  }

  private static String name(HasMetadata resource) {
    return resource.getKind() + " " + resource.getMetadata().getName();
  }
}
