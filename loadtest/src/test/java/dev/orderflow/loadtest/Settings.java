package dev.orderflow.loadtest;

import java.time.Duration;

/**
 * The load tests' settings: each from a system property ({@code -DbaseUrl=...}), else an environment variable
 * ({@code ORDERFLOW_BASE_URL}), else a default that suits an Orderflow on this machine's default ports.
 *
 * <p>Rates are new clients (orders) per second; durations are whole seconds.
 */
public record Settings(
    String baseUrl,
    String gatewayUrl,
    String token,
    double rate,
    Duration duration,
    double peakFactor,
    Duration peak,
    Duration ramp,
    int maxPolls,
    Duration pollInterval,
    int maxAttempts,
    double soldOutShare,
    double declineShare,
    double retryShare,
    double cancelShare,
    int postP99Ms,
    double minSuccessPercent,
    Duration drain) {

  /** Reads every setting; {@code defaultRate} and {@code defaultDuration} are the simulation's own defaults. */
  public static Settings load(double defaultRate, Duration defaultDuration) {
    return new Settings(
        text("baseUrl", "ORDERFLOW_BASE_URL", "http://localhost:8080"),
        text("gatewayUrl", "ORDERFLOW_GATEWAY_URL", "http://localhost:8090"),
        readToken(),
        number("rate", "LOADTEST_RATE", defaultRate),
        seconds("duration", "LOADTEST_DURATION", defaultDuration),
        number("peakFactor", "LOADTEST_PEAK_FACTOR", 5),
        seconds("peak", "LOADTEST_PEAK", Duration.ofSeconds(30)),
        seconds("ramp", "LOADTEST_RAMP", Duration.ofSeconds(10)),
        (int) number("maxPolls", "LOADTEST_MAX_POLLS", 60),
        Duration.ofMillis((long) number("pollIntervalMs", "LOADTEST_POLL_INTERVAL_MS", 250)),
        (int) number("maxAttempts", "LOADTEST_MAX_ATTEMPTS", 10),
        number("soldOutShare", "LOADTEST_SOLD_OUT_SHARE", 0.05),
        number("declineShare", "LOADTEST_DECLINE_SHARE", 0.05),
        number("retryShare", "LOADTEST_RETRY_SHARE", 0.10),
        number("cancelShare", "LOADTEST_CANCEL_SHARE", 0.05),
        (int) number("postP99Ms", "LOADTEST_POST_P99_MS", 1000),
        number("minSuccessPercent", "LOADTEST_MIN_SUCCESS_PERCENT", 99),
        seconds("drain", "LOADTEST_DRAIN", Duration.ofSeconds(60)));
  }

  /** One line for the start of a run, so that a report can be matched with its settings. */
  public String describe() {
    return "Orderflow load test against " + baseUrl + " (gateway simulator " + gatewayUrl + "): " + rate
        + " orders/s for " + duration.toSeconds() + " s; " + Math.round(soldOutShare * 100) + "% sold out, "
        + Math.round(declineShare * 100) + "% declined, " + Math.round(retryShare * 100)
        + "% retried with the same Idempotency-Key, " + Math.round(cancelShare * 100)
        + "% cancelled at a random moment; up to " + maxPolls + " polls every " + pollInterval.toMillis()
        + " ms";
  }

  /**
   * The bearer token for the API (an operator's): {@code ORDERFLOW_TOKEN}, else the file {@code -DtokenFile} /
   * {@code ORDERFLOW_TOKEN_FILE}; empty when neither is set. Never a system property: command lines are visible
   * to every user of the machine.
   */
  private static String readToken() {
    String token = System.getenv("ORDERFLOW_TOKEN");
    if (token != null && !token.isBlank()) {
      return token.trim();
    }
    String file = text("tokenFile", "ORDERFLOW_TOKEN_FILE", "");
    try {
      return file.isEmpty() ? "" : java.nio.file.Files.readString(java.nio.file.Path.of(file)).trim();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return describe();
  }

  private static String text(String property, String variable, String fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(variable);
    }
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static double number(String property, String variable, double fallback) {
    String value = text(property, variable, "");
    try {
      return value.isEmpty() ? fallback : Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + property + " / " + variable + " must be a number, not " + value, e);
    }
  }

  private static Duration seconds(String property, String variable, Duration fallback) {
    return Duration.ofMillis(Math.round(number(property, variable, fallback.toSeconds()) * 1000));
  }
}
