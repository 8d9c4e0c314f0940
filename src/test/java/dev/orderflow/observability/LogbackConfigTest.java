package dev.orderflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.StatusPrinter2;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The logging configuration")
class LogbackConfigTest {

  @ParameterizedTest(name = "ORDERFLOW_LOG_FORMAT={0}")
  @ValueSource(strings = {"text", "json"})
  @DisplayName("configures each format without a warning (a warning makes logback print its start-up status)")
  void eachFormatWithoutWarnings(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    // Looked up before the environment variable of the same name.
    context.putProperty("ORDERFLOW_LOG_FORMAT", format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));

    assertThat(highestLevel(context)).as(statuses(context)).isLessThan(Status.WARN);
    @SuppressWarnings("unchecked")
    var otel = (AppenderAttachable<Object>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("otel");
    var console = (ConsoleAppender<?>) otel.getAppender("console");
    assertThat(console.getEncoder())
        .isInstanceOf(format.equals("json") ? LogstashEncoder.class : PatternLayoutEncoder.class);
    context.stop();
  }

  @ParameterizedTest(name = "ORDERFLOW_LOG_FORMAT={0}")
  @ValueSource(strings = {"text", "json"})
  @DisplayName("takes the password out of every URL in a line, its message and its stack trace alike")
  void redactsUserInfo(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.putProperty("ORDERFLOW_LOG_FORMAT", format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    Logger logger = context.getLogger("redaction-test");
    @SuppressWarnings("unchecked")
    var otel = (AppenderAttachable<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("otel");
    var console = (ConsoleAppender<ILoggingEvent>) otel.getAppender("console");

    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "NATS at {} is not ready yet", new java.io.IOException("Unable to connect to nats://bob:s3cr3t-b@h2:4222"),
        new Object[] {"nats://alice:s3cr3t-a@h1:4222,nats://h3:4222"});
    event.setMDCPropertyMap(java.util.Map.of());
    String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);

    assertThat(line).doesNotContain("s3cr3t").contains("nats://***@h1:4222,nats://h3:4222")
        .contains("nats://***@h2:4222").contains("IOException").doesNotContain("%");
    context.stop();
  }

  private static int highestLevel(LoggerContext context) {
    return context.getStatusManager().getCopyOfStatusList().stream().mapToInt(Status::getLevel).max().orElse(0);
  }

  private static String statuses(LoggerContext context) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StatusPrinter2 printer = new StatusPrinter2();
    printer.setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8));
    printer.print(context);
    return out.toString(StandardCharsets.UTF_8);
  }
}
