package dev.orderflow.config;

import java.util.Locale;

/**
 * How Vert.x's event loops wait for and move socket I/O (the API, the gateway client; jnats has its own threads).
 * A transport the kernel, the container or the platform does not allow falls back to the next one in this order,
 * with a log line.
 */
public enum NetworkTransport {
  /** Linux's io_uring through Netty: reads, writes and waits submitted in batches, fewer system calls. */
  IO_URING,
  /** Linux's epoll through Netty: a system call per read, write and wait. */
  EPOLL,
  /** The JDK's selector: anywhere. */
  NIO;

  static NetworkTransport parse(String setting, String value) {
    for (NetworkTransport transport : values()) {
      if (transport.label().equals(value)) {
        return transport;
      }
    }
    throw new ConfigException(setting + " must be io_uring, epoll or nio, was '" + value + "'");
  }

  /** The setting's value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
