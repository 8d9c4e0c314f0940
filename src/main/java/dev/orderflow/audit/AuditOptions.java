package dev.orderflow.audit;

import dev.orderflow.observability.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to audit and where to look.
 *
 * @param apiUrls base URLs of the Orderflow API (GET requests are spread over them)
 * @param gatewayUrl base URL of the payment gateway simulator, whose charge log is the witness
 * @param accepted ids of the orders the run got a 202 for (ignored when {@code idsFromStream})
 * @param uncertain ids whose answer was lost or a 503 after a late acknowledgement: such an order may exist; if it
 *     does, it is audited like an accepted one
 * @param initialStock units per SKU before the run
 * @param natsUrl NATS servers to read consumer state from; null to use {@code monitorUrl}, or skip if both are
 * @param monitorUrl a nats-server monitoring base URL ({@code /jsz}); used when {@code natsUrl} is null
 * @param drainTimeout how long orders and consumers may take to drain before what is still open counts as a violation
 * @param concurrency order views fetched at once
 * @param token the bearer token sent to the API (an operator's: the audit reads every order and the inventory);
 *     null to send none
 * @param idsFromStream read the accepted orders, and their outcomes, from the streams over {@code natsUrl} (every
 *     {@code OrderPlaced} in {@code ORDERS}) instead of {@code accepted} and one API view per order
 * @param apiSample with {@code idsFromStream}: how many orders' API views ({@code GET /orders/{id}}, spread evenly
 *     over the run) must agree with what the streams say
 * @param inventoryUrls base URLs that serve {@code GET /inventory/{sku}} (the inventory role's API); empty when the
 *     {@code apiUrls} serve it too, as when one process runs the orders and inventory roles
 * @param cancelled ids of orders whose cancellation was answered 202: each must end CANCELLED on request, never
 *     SHIPPED
 * @param gatewayToken the bearer token sent to the gateway simulator (its token, when it is configured with one);
 *     null to send none
 */
public record AuditOptions(List<String> apiUrls, String gatewayUrl, List<String> accepted, List<String> uncertain,
    Map<String, Long> initialStock, String natsUrl, String monitorUrl, Duration drainTimeout, int concurrency,
    String token, boolean idsFromStream, int apiSample, List<String> inventoryUrls, List<String> cancelled,
    String gatewayToken) {

  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(120);
  public static final int DEFAULT_CONCURRENCY = 64;
  /** Each view costs the service six random reads (~5 ms here): a few hundred cost seconds, and prove the point. */
  public static final int DEFAULT_API_SAMPLE = 200;

  /** Where the audit finds a token when none is given: the development mode's operator token, when run from the
   *  folder of a one-command default run. */
  static final Path DEV_OPERATOR_TOKEN = Path.of("data", "dev-tokens", "operator");

  public AuditOptions {
    if (idsFromStream && natsUrl == null) {
      throw new IllegalArgumentException("reading the accepted orders from the stream needs a NATS URL");
    }
    apiUrls = List.copyOf(apiUrls);
    inventoryUrls = List.copyOf(inventoryUrls);
    accepted = List.copyOf(accepted);
    uncertain = List.copyOf(uncertain);
    initialStock = Map.copyOf(initialStock);
    cancelled = List.copyOf(cancelled);
  }

  /** An audit with no cancellations to hold the run to, and no token for the gateway. */
  public AuditOptions(List<String> apiUrls, String gatewayUrl, List<String> accepted, List<String> uncertain,
      Map<String, Long> initialStock, String natsUrl, String monitorUrl, Duration drainTimeout, int concurrency,
      String token, boolean idsFromStream, int apiSample, List<String> inventoryUrls) {
    this(apiUrls, gatewayUrl, accepted, uncertain, initialStock, natsUrl, monitorUrl, drainTimeout, concurrency,
        token, idsFromStream, apiSample, inventoryUrls, List.of(), null);
  }

  /** The same audit, holding it also to the cancellations answered 202 in {@code cancelled}. */
  public AuditOptions withCancelled(List<String> cancelled) {
    return new AuditOptions(apiUrls, gatewayUrl, accepted, uncertain, initialStock, natsUrl, monitorUrl, drainTimeout,
        concurrency, token, idsFromStream, apiSample, inventoryUrls, cancelled, gatewayToken);
  }

  /** An audit whose API URLs serve the inventory too. */
  public AuditOptions(List<String> apiUrls, String gatewayUrl, List<String> accepted, List<String> uncertain,
      Map<String, Long> initialStock, String natsUrl, String monitorUrl, Duration drainTimeout, int concurrency,
      String token, boolean idsFromStream, int apiSample) {
    this(apiUrls, gatewayUrl, accepted, uncertain, initialStock, natsUrl, monitorUrl, drainTimeout, concurrency,
        token, idsFromStream, apiSample, List.of());
  }

  /** An audit of the given ids, each order's view read over the API. */
  public AuditOptions(List<String> apiUrls, String gatewayUrl, List<String> accepted, List<String> uncertain,
      Map<String, Long> initialStock, String natsUrl, String monitorUrl, Duration drainTimeout, int concurrency,
      String token) {
    this(apiUrls, gatewayUrl, accepted, uncertain, initialStock, natsUrl, monitorUrl, drainTimeout, concurrency,
        token, false, 0, List.of());
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AuditOptions[apiUrls=" + apiUrls + ", inventoryUrls=" + inventoryUrls + ", gatewayUrl=" + gatewayUrl
        + ", accepted=" + (idsFromStream ? "from the stream, API sample " + apiSample : accepted.size())
        + ", uncertain=" + uncertain.size() + ", cancelled=" + cancelled.size() + ", natsUrl="
        + Redaction.urls(natsUrl) + ", monitorUrl=" + monitorUrl + ", drainTimeout=" + drainTimeout
        + ", concurrency=" + concurrency + ", token=" + (token == null ? "none" : "***")
        + ", gatewayToken=" + (gatewayToken == null ? "none" : "***") + "]";
  }

  /** Reads ids one per line, ignoring blank lines and {@code #} comments. */
  static List<String> readIds(Path file) throws java.io.IOException {
    return java.nio.file.Files.readAllLines(file).stream()
        .map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }
}
