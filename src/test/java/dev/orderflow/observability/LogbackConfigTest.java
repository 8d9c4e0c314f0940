package dev.orderflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
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
