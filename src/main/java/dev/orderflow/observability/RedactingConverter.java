package dev.orderflow.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/** {@code %redact(...)} in a text log pattern: what it wraps, with {@link Redaction#urls} applied. */
public final class RedactingConverter extends CompositeConverter<ILoggingEvent> {

  @Override
  protected String transform(ILoggingEvent event, String in) {
    return Redaction.urls(in);
  }
}
