package dev.orderflow.messaging.nats;

import dev.orderflow.observability.LogThrottle;
import dev.orderflow.observability.Redaction;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the connection reports, turned into a few log lines and a recovery after each reconnect. */
final class ConnectionEvents {

  /** Under the bridge's name, which operators filter the connection's story by. */
  private static final Logger LOG = LoggerFactory.getLogger(NatsBridge.class);

  private ConnectionEvents() {}

  /**
   * Receives the connection's events; bound to the topology watch once the connection exists. While the server is
   * unreachable the client reports a disconnection and an exception for every reconnect attempt (several a
   * second): the log gets one warning when the connection is lost, then a reminder every
   * {@link ConnectionLog#REMINDER}, then one line when it is back.
   */
  static final class Events implements ConnectionListener {
    volatile TopologyWatch watch;
    final ConnectionLog log = new ConnectionLog();

    @Override
    public void connectionEvent(Connection connection, ConnectionListener.Events event) {
      log.event(connection, event);
      TopologyWatch current = watch;
      if (event == ConnectionListener.Events.RESUBSCRIBED && current != null) {
        current.recover();
      }
    }
  }

  /** The connection's story in a few lines, whatever the number of reconnect attempts. Thread-safe. */
  static final class ConnectionLog {
    static final Duration REMINDER = Duration.ofMinutes(1);

    private final LogThrottle reminders = new LogThrottle(REMINDER);
    private final LogThrottle errors = new LogThrottle(REMINDER);
    private volatile long lostAt;
    private volatile boolean down;
    /** Whether the connection was ever made: until then start-up reports why it failed (and retries) itself. */
    private volatile boolean opened;

    void event(Connection connection, ConnectionListener.Events event) {
      switch (event) {
        case DISCONNECTED -> disconnected();
        case RECONNECTED, CONNECTED -> {
          opened = true;
          if (down) {
            down = false;
            LOG.info("NATS connection back ({}) after {} s", Redaction.urls(connection.getConnectedUrl()),
                (System.nanoTime() - lostAt) / 1_000_000_000);
          } else {
            LOG.info("NATS {} ({})", event.getEvent(), Redaction.urls(connection.getConnectedUrl()));
          }
        }
        case CLOSED -> LOG.info("NATS {}", event.getEvent());
        default -> LOG.debug("NATS {} ({})", event.getEvent(), Redaction.urls(connection.getConnectedUrl()));
      }
    }

    private synchronized void disconnected() {
      if (!down) {
        down = true;
        lostAt = System.nanoTime();
        reminders.reset();
        reminders.allow(); // the warning below counts as this minute's line
        errors.reset();
        LOG.warn("NATS connection lost; reconnecting (a reminder every {} s while it stays away)",
            REMINDER.toSeconds());
      } else if (reminders.allow()) {
        LOG.warn("NATS still unreachable after {} s ({} reconnect attempts since the last reminder)",
            (System.nanoTime() - lostAt) / 1_000_000_000, reminders.suppressed() + 1);
      } else {
        LOG.debug("NATS reconnect attempt failed");
      }
    }

    /** An error the client reports: while the connection is down it is the same outage, already reported. */
    void error(String reported) {
      String what = Redaction.urls(reported);
      if (down || !opened) {
        LOG.debug("NATS error while disconnected: {}", what);
      } else if (errors.allow()) {
        LOG.warn("NATS error: {} ({} similar since the last such line)", what, errors.suppressed());
      }
    }
  }

  static final class LoggingErrorListener implements ErrorListener {
    /** The last exception reported, to explain a failed first connection. */
    volatile Exception last;
    private final ConnectionLog log;

    LoggingErrorListener(ConnectionLog log) {
      this.log = log;
    }

    @Override
    public void errorOccurred(Connection connection, String error) {
      log.error(error);
    }

    @Override
    public void exceptionOccurred(Connection connection, Exception exception) {
      last = exception;
      log.error(exception.toString());
    }
  }
}
