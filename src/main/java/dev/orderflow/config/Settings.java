package dev.orderflow.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Typed, range-checked reads from one section of the configuration JSON. Values may be JSON numbers or
 * strings (environment variables arrive as strings); every error names the full dotted path.
 */
final class Settings {

  private final JsonObject json;
  private final String path;

  private Settings(JsonObject json, String path) {
    this.json = json;
    this.path = path;
  }

  static Settings of(JsonObject json) {
    return at(json, "");
  }

  /** A section whose error messages start with {@code prefix}. */
  static Settings at(JsonObject json, String prefix) {
    return new Settings(json, prefix);
  }

  Settings section(String key) {
    Object value = json.getValue(key);
    if (!(value instanceof JsonObject section)) {
      throw new ConfigException(name(key) + " must be a JSON object");
    }
    return new Settings(section, name(key) + ".");
  }

  String string(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      throw new ConfigException(name(key) + " is missing");
    }
    return value.toString().trim();
  }

  long integer(String key, long min, long max) {
    String raw = string(key);
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(name(key) + " must be a whole number, was '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  int port(String key) {
    return (int) integer(key, 0, 65_535);
  }

  int positive(String key) {
    return (int) integer(key, 1, Integer.MAX_VALUE);
  }

  /** A duration in milliseconds, zero allowed (e.g. no added latency). */
  Duration millis(String key) {
    return Duration.ofMillis(integer(key, 0, Long.MAX_VALUE / 1_000_000));
  }

  /** A duration in milliseconds that must be at least 1 (timeouts and waits: zero would mean none). */
  Duration positiveMillis(String key) {
    return Duration.ofMillis(integer(key, 1, Long.MAX_VALUE / 1_000_000));
  }

  boolean bool(String key) {
    String raw = string(key);
    return switch (raw) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name(key) + " must be true or false, was '" + raw + "'");
    };
  }

  /** One of {@code allowed} (lower case), as written. */
  String oneOf(String key, java.util.Set<String> allowed) {
    String raw = string(key).toLowerCase(java.util.Locale.ROOT);
    if (!allowed.contains(raw)) {
      throw new ConfigException(name(key) + " must be one of " + new java.util.TreeSet<>(allowed) + ", was '" + raw
          + "'");
    }
    return raw;
  }

  /** A JSON array of strings, or a comma-separated string (as environment variables give it). */
  java.util.List<String> list(String key) {
    Object value = json.getValue(key);
    if (value instanceof io.vertx.core.json.JsonArray array) {
      return array.stream().map(v -> String.valueOf(v).trim()).filter(v -> !v.isEmpty()).toList();
    }
    return java.util.Arrays.stream(string(key).split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  double ratio(String key) {
    String raw = string(key);
    double value;
    try {
      value = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(name(key) + " must be a number, was '" + raw + "'");
    }
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new ConfigException(name(key) + " must be between 0.0 and 1.0, was " + raw);
    }
    return value;
  }

  String name(String key) {
    return path + key;
  }
}
