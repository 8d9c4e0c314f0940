package dev.orderflow.observability;

import java.util.regex.Pattern;

/**
 * Takes the user info (a user name and password, or a token) out of every URL in a text, so that a URL such as
 * {@code nats://user:password@host:4222} can be named in a log line, a span, a health answer or an error message.
 * The log encoders apply it to every line as well ({@link RedactingConverter}, {@link RedactingValueMasker}), for
 * what a library logs by itself.
 */
public final class Redaction {

  /**
   * A scheme, {@code ://}, then the user info: everything up to the last {@code @} before the host (RFC 3986 keeps
   * {@code / ? #} out of it; whitespace ends a URL in a text).
   */
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");

  private Redaction() {}

  /** {@code text} with the user info of each URL in it replaced by {@code ***}; null stays null. */
  public static String urls(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    return USER_INFO.matcher(text).replaceAll("$1***@");
  }
}
