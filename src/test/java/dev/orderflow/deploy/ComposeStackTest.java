package dev.orderflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * compose.yaml and the Dockerfile, read as files. The stack itself needs root and podman, so it is run by
 * bin/compose-smoke, not by the tests (bin/container-smoke runs the image alone).
 */
@DisplayName("The compose stack and the Dockerfile")
class ComposeStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("run a three-node JetStream cluster whose nodes route to each other")
  void natsCluster() throws IOException {
    Map<String, Map<String, Object>> services = services();
    assertThat(services).containsKeys("nats-1", "nats-2", "nats-3");
    String conf = Files.readString(Path.of("deploy/nats/cluster.conf"));
    assertThat(conf).contains("jetstream", "nats://nats-1:6222", "nats://nats-2:6222", "nats://nats-3:6222");
    for (String node : List.of("nats-1", "nats-2", "nats-3")) {
      assertThat(environment(services.get(node))).containsEntry("SERVER_NAME", node).containsEntry("GOGC", "400");
    }
  }

  @Test
  @DisplayName("run each role as a service of its own, the orders role twice, on the cluster at 3 replicas")
  void roles() throws IOException {
    Map<String, List<String>> servicesByRole = new TreeMap<>();
    services().forEach((name, service) -> {
      String roles = environment(service).get("ORDERFLOW_ROLES");
      if (roles != null) {
        servicesByRole.computeIfAbsent(roles, r -> new ArrayList<>()).add(name);
        assertThat(environment(service).get("ORDERFLOW_NATS_URL").split(",")).as(name).hasSize(3);
        assertThat(service.get("build")).as("%s builds the image", name).isNotNull();
        // Production mode (a NATS URL): the API's key comes from the environment, and compose refuses to start
        // without it rather than run an API nobody can call.
        assertThat(environment(service).get("ORDERFLOW_AUTH_HMAC_SECRET")).as(name)
            .startsWith("${ORDERFLOW_AUTH_HMAC_SECRET:?");
      }
    });
    assertThat(servicesByRole.keySet()).containsExactlyInAnyOrder("orders", "inventory", "payments", "shipping",
        "gateway");
    assertThat(servicesByRole.get("orders")).hasSize(2);
    JsonNode config = JSON.readTree(Path.of("deploy/compose/orderflow.json").toFile());
    assertThat(config.path("nats").path("replicas").asInt()).isEqualTo(3);
  }

  @Test
  @DisplayName("scrape every Orderflow service with the project's job, and give Grafana the project's dashboard")
  void prometheusAndGrafana() throws IOException {
    Map<String, Map<String, Object>> services = services();
    assertThat(services).containsKeys("prometheus", "grafana");
    Map<String, Object> compose = yaml(Path.of("deploy/compose/prometheus.yml"));
    Map<String, Object> project = yaml(Path.of("deploy/prometheus/prometheus.yml"));
    assertThat(job(compose).get("job_name")).isEqualTo(job(project).get("job_name"));
    assertThat(job(compose).get("metrics_path")).isEqualTo(job(project).get("metrics_path"));
    TreeSet<String> expected = new TreeSet<>();
    services.forEach((name, service) -> {
      if (environment(service).containsKey("ORDERFLOW_ROLES")) {
        expected.add(name + ":8080");
      }
    });
    assertThat(new TreeSet<>(targets(compose))).isEqualTo(expected);
    assertThat(volumes(services.get("grafana"))).anyMatch(v -> v.startsWith("./deploy/grafana:"));
  }

  @Test
  @DisplayName("publish a port for every role that serves clients: the orders API, GET /inventory, the gateway")
  void clientAddresses() throws IOException {
    // Each role's routes are on its own listener: the orders role serves /orders, the inventory role /inventory,
    // the gateway role the simulator's /v1/charges. bin/audit needs all three from outside the stack.
    Map<String, String> listenerByRole = Map.of("orders", "8080", "inventory", "8080", "gateway", "8090");
    Map<String, Map<String, Object>> services = services();
    listenerByRole.forEach((role, listener) -> {
      List<String> serving = services.entrySet().stream()
          .filter(e -> role.equals(environment(e.getValue()).get("ORDERFLOW_ROLES")))
          .map(Map.Entry::getKey).toList();
      assertThat(serving).as("services of role %s", role).isNotEmpty();
      for (String name : serving) {
        assertThat(ports(services.get(name))).as("%s (role %s) publishes its listener", name, role)
            .anyMatch(port -> port.endsWith(":" + listener));
      }
    });
  }

  @Test
  @DisplayName("give Grafana one lag per consumer, not the sum of every process's report of it")
  void lagIsNotSummedOverProcesses() throws IOException {
    // Every process reports every consumer's lag (and the breaker's state) as the server sees it: a sum over the
    // stack's six processes would show six times the lag.
    JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/orderflow-dashboard.json").toFile());
    List<String> queries = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> panel.path("targets")
        .forEach(target -> queries.add(target.path("expr").asText())));
    List<String> gauges = queries.stream().filter(q -> q.matches(
        ".*\\b(orderflow_consumer_pending|orderflow_consumer_ack_pending|orderflow_circuit_breaker_state)\\b.*"))
        .toList();
    assertThat(gauges).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(query -> assertThat(query).as(query).matches("^(max|min|avg) by \\([a-z_, ]+\\) \\(.*")
            .doesNotContainPattern("\\bsum\\b"));
  }

  @Test
  @DisplayName("use only the variable forms that podman-compose 1.0.3 expands, so no service gets a '${' as a value")
  void variablesExpandInPodmanCompose() throws IOException {
    // podman-compose 1.0.3 (Debian 12) leaves ${NAME:-} (an empty default) as it is: its --dry-run showed the
    // gateway simulator's token set to that text. Its forms: $NAME, ${NAME}, ${NAME:-default}, ${NAME:?error}.
    String values = String.join("\n", Files.readAllLines(Path.of("compose.yaml")).stream()
        .filter(line -> !line.strip().startsWith("#")).toList());
    Matcher variable = Pattern.compile("\\$\\{[^}]*}").matcher(values);
    List<String> found = new ArrayList<>();
    while (variable.find()) {
      found.add(variable.group());
    }
    assertThat(found).isNotEmpty()
        .allSatisfy(v -> assertThat(v).matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]+|:?\\?[^}]+)?}"));
  }

  @Test
  @DisplayName("publish the gateway simulator's, Prometheus's and Grafana's ports on no interface but loopback")
  void operatorPortsNotPublished() throws IOException {
    for (String service : List.of("gateway", "prometheus", "grafana")) {
      Object ports = services().get(service).get("ports");
      if (ports != null) {
        for (Object port : (List<?>) ports) {
          assertThat(String.valueOf(port)).as(service + " port mapping").startsWith("127.0.0.1:");
        }
      }
    }
  }

  @Test
  @DisplayName("mount only files that are in the repository")
  void mountedFilesExist() throws IOException {
    services().forEach((name, service) -> volumes(service).stream()
        .filter(volume -> volume.startsWith("./"))
        .forEach(volume -> assertThat(Path.of(volume.split(":")[0])).as("%s mounts %s", name, volume).exists()));
  }

  @Test
  @DisplayName("has a Dockerfile with base images as build arguments, a non-root user, a health check, no nats-server")
  void dockerfile() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile")).stream()
        .filter(line -> !line.startsWith("#")).toList();
    assertThat(lines).anyMatch(line -> line.startsWith("ARG BUILD_IMAGE="))
        .anyMatch(line -> line.startsWith("ARG RUNTIME_IMAGE="))
        .anyMatch(line -> line.equals("FROM ${BUILD_IMAGE} AS build"))
        .anyMatch(line -> line.equals("FROM ${RUNTIME_IMAGE}"))
        .anyMatch(line -> line.startsWith("HEALTHCHECK "))
        .noneMatch(line -> line.contains("nats-server") && !line.startsWith("#"));
    String user = lines.stream().filter(line -> line.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user).doesNotContain("root").doesNotMatch("USER 0(:.*)?");
    assertThat(Files.readString(Path.of("deploy/container/healthcheck"))).contains("/health/ready");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    return (Map<String, Map<String, Object>>) yaml(Path.of("compose.yaml")).get("services");
  }

  /** SnakeYAML, because it resolves the merge keys ({@code <<: *orderflow}) compose files use. */
  private static Map<String, Object> yaml(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    Object environment = service.get("environment");
    Map<String, String> variables = new TreeMap<>();
    if (environment instanceof Map<?, ?> map) {
      map.forEach((k, v) -> variables.put(k.toString(), String.valueOf(v)));
    }
    return variables;
  }

  @SuppressWarnings("unchecked")
  private static List<String> volumes(Map<String, Object> service) {
    Object volumes = service.get("volumes");
    return volumes == null ? List.of() : ((List<Object>) volumes).stream().map(Object::toString).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<String> ports(Map<String, Object> service) {
    Object ports = service.get("ports");
    return ports == null ? List.of() : ((List<Object>) ports).stream().map(Object::toString).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> job(Map<String, Object> config) {
    return ((List<Map<String, Object>>) config.get("scrape_configs")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<String> targets(Map<String, Object> config) {
    List<String> targets = new ArrayList<>();
    for (Map<String, Object> staticConfig : (List<Map<String, Object>>) job(config).get("static_configs")) {
      targets.addAll((List<String>) staticConfig.get("targets"));
    }
    return targets;
  }
}
