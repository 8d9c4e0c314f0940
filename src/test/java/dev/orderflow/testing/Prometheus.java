package dev.orderflow.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the Prometheus text format: each series (name with labels, as printed) and its value. */
public final class Prometheus {

  private final Map<String, Double> series;

  private Prometheus(Map<String, Double> series) {
    this.series = series;
  }

  public static Prometheus parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      series.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
    }
    return new Prometheus(series);
  }

  /** The sum of every series of metric {@code name} whose labels include all of {@code labels} (k=v pairs). */
  public double sum(String name, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> entry : series.entrySet()) {
      String key = entry.getKey();
      if (!(key.equals(name) || key.startsWith(name + "{"))) {
        continue;
      }
      boolean matches = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        matches &= key.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (matches) {
        total += entry.getValue();
      }
    }
    return total;
  }

  /** Whether any series of metric {@code name} exists. */
  public boolean has(String name) {
    return series.keySet().stream().anyMatch(key -> key.equals(name) || key.startsWith(name + "{"));
  }
}
