package dev.orderflow.config;

/** Configuration that cannot be used; the message names the setting and what was wrong with it. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}
