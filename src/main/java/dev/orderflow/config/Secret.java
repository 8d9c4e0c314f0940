package dev.orderflow.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A secret (a password, a token, a signing key) read from an environment variable or from a file, never from the
 * configuration files themselves, so that it comes from a Kubernetes or Docker secret and not from a repository.
 * {@link #toString()} never shows the value, so a secret cannot end up in a log line by accident.
 */
public final class Secret {

  private static final Secret NONE = new Secret("", "(none)");

  private final String value;
  private final String source;

  private Secret(String value, String source) {
    this.value = value;
    this.source = source;
  }

  public static Secret none() {
    return NONE;
  }

  /** A secret given in code (tests, generated development keys). */
  public static Secret of(String value, String source) {
    return value.isEmpty() ? NONE : new Secret(value, source);
  }

  /**
   * The value of environment variable {@code variable} when set and not empty, else the contents of the file named
   * by setting {@code fileSetting} (without a trailing line break), else none.
   */
  static Secret read(Map<String, String> environment, String variable, Settings section, String fileSetting) {
    String fromEnvironment = environment.get(variable);
    if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
      return new Secret(fromEnvironment, "environment variable " + variable);
    }
    String file = section.string(fileSetting);
    if (file.isEmpty()) {
      return NONE;
    }
    try {
      String contents = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (contents.isEmpty()) {
        throw new ConfigException(section.name(fileSetting) + ": " + file + " is empty");
      }
      return new Secret(contents, "file " + file);
    } catch (IOException e) {
      throw new ConfigException(section.name(fileSetting) + ": cannot read " + file + " ("
          + e.getClass().getSimpleName()
          + ")");
    }
  }

  public boolean present() {
    return !value.isEmpty();
  }

  /** The secret itself: hand it to the library that needs it, never to a log or an exception message. */
  public String reveal() {
    return value;
  }

  /** Where the secret came from (for messages), never its value. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return present() ? "Secret[from " + source + "]" : "Secret[none]";
  }
}
