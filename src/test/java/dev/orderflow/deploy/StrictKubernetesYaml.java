package dev.orderflow.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes manifests into fabric8's typed model of the Kubernetes API, strictly: an unknown field, a
 * wrong type or an unknown kind is an error, as {@code kubectl apply --validate=strict} would make it, but offline.
 *
 * <p>fabric8's types keep unknown fields in an "additional properties" map instead of refusing them; this reader
 * turns that off, so that a misspelt {@code readinessProbe} fails here rather than being ignored by a cluster.
 */
final class StrictKubernetesYaml {

  /** The kinds deploy/k8s may hold, by {@code apiVersion/kind}. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/ConfigMap", ConfigMap.class,
      "v1/Secret", Secret.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .annotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated annotated) {
          return Boolean.FALSE; // no catch-all for unknown fields
        }
      })
      .build();

  private StrictKubernetesYaml() {}

  /** Every document of a YAML file, as a tree. */
  static List<JsonNode> documents(Path file) {
    try {
      List<JsonNode> documents = new ArrayList<>();
      YAML.readerFor(JsonNode.class).readValues(Files.readString(file)).forEachRemaining(node -> {
        JsonNode document = (JsonNode) node;
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      });
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not valid YAML", e);
    }
  }

  /** Every document of a manifest file, as its Kubernetes type; fails on the first that does not fit the schema. */
  static List<HasMetadata> read(Path file) {
    return documents(file).stream().map(document -> read(file, document)).toList();
  }

  static HasMetadata read(Path file, JsonNode document) {
    String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
    Class<? extends HasMetadata> kind = KINDS.get(type);
    if (kind == null) {
      throw new IllegalArgumentException(file + ": unexpected kind " + type + " (known: " + KINDS.keySet() + ")");
    }
    try {
      return STRICT.treeToValue(document, kind);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + type + " " + document.path("metadata").path("name").asText()
          + " does not fit the Kubernetes schema: " + e.getMessage(), e);
    }
  }
}
