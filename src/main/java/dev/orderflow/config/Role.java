package dev.orderflow.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The parts of Orderflow one process can run; any subset, and any number of processes per role. */
public enum Role {
  ORDERS, INVENTORY, PAYMENTS, SHIPPING, GATEWAY;

  /** Parses a comma-separated list such as {@code "orders,payments"}. */
  public static Set<Role> parseList(String list) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : list.split(",")) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      try {
        roles.add(valueOf(trimmed.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("roles: unknown role '" + trimmed + "'; known roles are " + names());
      }
    }
    if (roles.isEmpty()) {
      throw new ConfigException("roles must name at least one of " + names());
    }
    return roles;
  }

  /** The role's lower-case name, as written in configuration. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static String names() {
    return Arrays.stream(values()).map(Role::key).collect(Collectors.joining(","));
  }
}
