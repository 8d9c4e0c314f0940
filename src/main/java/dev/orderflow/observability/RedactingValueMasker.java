package dev.orderflow.observability;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/** Applies {@link Redaction#urls} to every string of a JSON log line (the message and stack trace included). */
public final class RedactingValueMasker implements ValueMasker {

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence chars) {
      String text = chars.toString();
      String redacted = Redaction.urls(text);
      // null means "leave the value as it is" to the masking generator
      return redacted.equals(text) ? null : redacted;
    }
    return null;
  }
}
