package dev.orderflow.events;

/**
 * What can be a customer id, in a request and in an event alike: 1 to {@value #MAX_LENGTH} letters, digits or
 * {@code . _ : @ -} (the schema's {@link #PATTERN}). Checked without a regex, since consumers check every delivery.
 */
public final class CustomerIds {

  public static final int MAX_LENGTH = 128;
  /** The rule as a JSON-schema pattern (the request schema and the OpenAPI document say the same). */
  public static final String PATTERN = "^[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}$";
  /** The rule in words, for an error message. */
  public static final String DESCRIPTION = "1 to " + MAX_LENGTH + " letters, digits or . _ : @ -";

  private CustomerIds() {}

  /** Whether {@code id} is 1 to {@value #MAX_LENGTH} characters, each allowed. */
  public static boolean valid(String id) {
    return !id.isEmpty() && id.length() <= MAX_LENGTH && allowedCharacters(id);
  }

  /** Whether every character of {@code id} is a letter, a digit or one of {@code . _ : @ -}. */
  public static boolean allowedCharacters(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
