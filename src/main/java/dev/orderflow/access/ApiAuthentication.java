package dev.orderflow.access;

import dev.orderflow.access.AccessPolicy.Caller;
import dev.orderflow.access.AccessPolicy.Decision;
import dev.orderflow.config.AuthConfig;
import dev.orderflow.config.ConfigException;
import dev.orderflow.http.HttpProblem;
import dev.orderflow.observability.Redaction;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer-token authentication of the API with vertx-auth-jwt: the keys (a PEM public key, an HMAC secret, or an
 * identity provider's JWKS, refreshed periodically) come from {@link AuthConfig}; signature, {@code exp}/{@code nbf},
 * {@code iss} and {@code aud} are checked, and a token without {@code exp} is refused. A refused request is answered
 * 401 with {@code WWW-Authenticate} before any handler (and so any NATS work) runs.
 */
public final class ApiAuthentication {

  private static final Logger LOG = LoggerFactory.getLogger(ApiAuthentication.class);
  private static final String CALLER = "orderflow.caller";
  private static final String POLICY = "orderflow.policy";
  private static final String REALM = "orderflow";

  /**
   * What a refused token's client is told: which check failed (signature, issuer, audience, a claim of the wrong
   * type) would only help someone forging tokens.
   */
  private static final String NOT_VALID = "The bearer token is not valid";
  private static final String EXPIRED = "The bearer token has expired";

  /** How long a verified token is trusted without checking its signature again (never beyond its expiry). */
  private static final long VERIFIED_FOR_MILLIS = 60_000;
  /** Verified tokens remembered at most; beyond, the memory starts afresh. */
  private static final int MAX_VERIFIED = 10_000;

  /** A token whose signature and claims were checked, and until when its caller may be taken from here. */
  private record Verified(Caller caller, long validUntilMillis) {}

  private final Vertx vertx;
  private final AuthConfig config;
  private final AccessPolicy policy;
  // Keyed by the whole token, signature included: a hit is the very token verified before, so only time can change
  // the answer. Saves a signature check and a JSON parse per request for clients that reuse their token.
  private final java.util.concurrent.ConcurrentHashMap<String, Verified> verified =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile JWTAuth verifier;
  private long refreshTimer = -1;
  /** Development mode's demo tokens by name; empty otherwise. */
  private final Map<String, String> developmentTokens;

  private ApiAuthentication(Vertx vertx, AuthConfig config, JWTAuth verifier) {
    this(vertx, config, verifier, Map.of());
  }

  private ApiAuthentication(Vertx vertx, AuthConfig config, JWTAuth verifier, Map<String, String> developmentTokens) {
    this.vertx = vertx;
    this.config = config;
    this.policy = new AccessPolicy(config.customerClaim(), config.rolesClaim(), config.operatorRole());
    this.verifier = verifier;
    this.developmentTokens = developmentTokens;
  }

  /**
   * Sets up from {@code config}: with keys, verification only; without, development mode (see {@link DevelopmentKeys})
   * when allowed, else a {@link ConfigException} that says what to configure.
   */
  public static Future<ApiAuthentication> create(Vertx vertx, AuthConfig config, boolean embeddedNats, Path dataDir) {
    try {
      if (config.development(embeddedNats)) {
        return Future.succeededFuture(DevelopmentKeys.start(vertx, config, dataDir))
            .map(started -> new ApiAuthentication(vertx, config, started.verifier(), started.tokens()));
      }
      if (!config.jwksUrl().isEmpty()) {
        WebClient client = WebClient.create(vertx);
        return fetchJwks(vertx, client, config)
            .recover(e -> Future.failedFuture(new ConfigException("auth.jwksUrl: cannot load the key set from "
                + Redaction.urls(config.jwksUrl()) + ": " + Redaction.urls(e.getMessage()))))
            .map(verifier -> {
              ApiAuthentication auth = new ApiAuthentication(vertx, config, verifier);
              auth.refreshTimer = vertx.setPeriodic(config.jwksRefresh().toMillis(),
                  id -> fetchJwks(vertx, client, config)
                      .onSuccess(fresh -> auth.verifier = fresh)
                      .onFailure(e -> LOG.warn("Refreshing the JWKS from {} failed, keeping the keys loaded before: {}",
                          Redaction.urls(config.jwksUrl()), Redaction.urls(e.getMessage()))));
              LOG.info("API authentication: bearer JWTs checked against the key set at {}",
                  Redaction.urls(config.jwksUrl()));
              return auth;
            });
      }
      JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(verification(config));
      if (config.hmacSecret().present()) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm())
            .setBuffer(config.hmacSecret().reveal()));
        LOG.info("API authentication: bearer JWTs signed with {} and the HMAC secret from {}", config.algorithm(),
            config.hmacSecret().source());
      } else {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm())
            .setBuffer(readPem(config.publicKeyFile())));
        LOG.info("API authentication: bearer JWTs signed with {} and the public key in {}", config.algorithm(),
            config.publicKeyFile());
      }
      return Future.succeededFuture(new ApiAuthentication(vertx, config, JWTAuth.create(vertx, options)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e instanceof ConfigException ? e
          : new ConfigException("auth: the configured key cannot be used: " + e.getMessage()));
    }
  }

  /** The checks every token must pass besides its signature. */
  static JWTOptions verification(AuthConfig config) {
    JWTOptions options = new JWTOptions().setLeeway((int) config.leeway().toSeconds());
    if (!config.issuer().isEmpty()) {
      options.setIssuer(config.issuer());
    }
    if (!config.audience().isEmpty()) {
      options.setAudience(config.audience());
    }
    return options;
  }

  public AccessPolicy policy() {
    return policy;
  }

  /** Whether this process runs in development mode (it signs its own demo tokens). */
  public boolean development() {
    return !developmentTokens.isEmpty();
  }

  /** Development mode's demo operator token; empty outside development mode. */
  public java.util.Optional<String> developmentOperatorToken() {
    return java.util.Optional.ofNullable(developmentTokens.get("operator"));
  }

  /**
   * Authenticates the request's bearer token and records the caller for {@link #caller} and the route's checks;
   * fails the request with 401 otherwise.
   */
  public void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(unauthorized(null, header == null ? "This resource needs a bearer token (Authorization: Bearer …)"
          : "Only bearer tokens are accepted (Authorization: Bearer …)"));
      return;
    }
    String token = header.substring(7).trim();
    Verified known = verified.get(token);
    if (known != null && System.currentTimeMillis() < known.validUntilMillis()) {
      ctx.put(CALLER, known.caller());
      ctx.put(POLICY, policy);
      ctx.next();
      return;
    }
    if (TokenShape.critical(token)) {
      // RFC 7515 §4.1.11: extensions marked critical must be understood, and this service understands none.
      ctx.fail(unauthorized("invalid_token", NOT_VALID));
      return;
    }
    Future<io.vertx.ext.auth.User> checked;
    try {
      checked = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt reads exp, nbf and iat as numbers outside its own error handling: a string there throws.
      checked = Future.failedFuture(e);
    }
    checked.onComplete(result -> {
      if (result.failed()) {
        LOG.debug("bearer token refused: {}", reason(result.cause()));
        ctx.fail(unauthorized("invalid_token", expired(result.cause()) ? EXPIRED : NOT_VALID));
        return;
      }
      // vertx-auth-jwt keeps the verified payload under the "accessToken" attribute (its root claim).
      JsonObject claims = result.result().attributes().getJsonObject("accessToken", result.result().principal());
      if (!(claims.getValue("exp") instanceof Number)) {
        ctx.fail(unauthorized("invalid_token", "The bearer token has no expiry (exp); tokens must expire"));
        return;
      }
      if (!TokenShape.lifetimeWithin(claims, config.maxTokenLifetime(), System.currentTimeMillis() / 1000)) {
        ctx.fail(unauthorized("invalid_token", "The bearer token is valid for longer than this service accepts"));
        return;
      }
      var caller = policy.caller(plain(claims));
      if (caller.isEmpty()) {
        ctx.fail(unauthorized("invalid_token", "The bearer token names no customer and no role of this service"));
        return;
      }
      if (verified.size() >= MAX_VERIFIED) {
        verified.clear();
      }
      long expiresAt = ((Number) claims.getValue("exp")).longValue() * 1000;
      verified.put(token, new Verified(caller.get(),
          Math.min(expiresAt, System.currentTimeMillis() + VERIFIED_FOR_MILLIS)));
      ctx.put(CALLER, caller.get());
      ctx.put(POLICY, policy);
      ctx.next();
    });
  }

  /** A handler that lets the request on only if {@code rule} allows the authenticated caller (403 otherwise). */
  public Handler<RoutingContext> require(BiFunction<AccessPolicy, Caller, Decision> rule, String what) {
    return ctx -> {
      if (rule.apply(policy, caller(ctx)) == Decision.ALLOW) {
        ctx.next();
      } else {
        ctx.fail(forbidden("Only the " + config.operatorRole() + " role may " + what));
      }
    };
  }

  /** The authenticated caller of this request; a request that was not authenticated fails closed (401). */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      throw unauthorized(null, "This resource needs a bearer token");
    }
    return caller;
  }

  /** Fails with 403 unless the request's caller may place an order for {@code customerId}. */
  public static void checkPlaceOrder(RoutingContext ctx, String customerId) {
    AccessPolicy policy = ctx.get(POLICY);
    if (policy == null || policy.placeOrder(caller(ctx), customerId) != Decision.ALLOW) {
      throw forbidden("A customer places orders only as itself: the token's customer is not " + customerId);
    }
  }

  /** Whether the request's caller may see an order of {@code ownerCustomerId}; if not, answer as for no order. */
  public static boolean mayReadOrder(RoutingContext ctx, String ownerCustomerId) {
    AccessPolicy policy = ctx.get(POLICY);
    return policy != null && policy.readOrder(caller(ctx), ownerCustomerId) == Decision.ALLOW;
  }

  /**
   * Whose orders the request's caller lists: {@code requested} when it may (an operator: anyone, or every customer
   * when {@code null}), the caller itself when it names none; 403 for another customer's.
   */
  public static String listedCustomer(RoutingContext ctx, String requested) {
    AccessPolicy policy = ctx.get(POLICY);
    Caller caller = caller(ctx);
    String customerId = requested == null && !caller.operator() ? caller.customerId() : requested;
    if (policy == null || policy.listOrders(caller, customerId) != Decision.ALLOW) {
      throw forbidden("A customer lists only its own orders: the token's customer is not " + requested);
    }
    return customerId;
  }

  /** Whether the request's caller is the customer {@code customerId} itself (not an operator acting for it). */
  public static boolean isCustomer(RoutingContext ctx, String customerId) {
    Caller caller = caller(ctx);
    return caller.customerId() != null && caller.customerId().equals(customerId);
  }

  public void close() {
    vertx.cancelTimer(refreshTimer);
  }

  static HttpProblem unauthorized(String error, String detail) {
    String challenge = "Bearer realm=\"" + REALM + "\"" + (error == null ? "" : ", error=\"" + error + "\"");
    return HttpProblem.of(401, "unauthorized", "Authentication required", detail)
        .withHeader("WWW-Authenticate", challenge);
  }

  static HttpProblem forbidden(String detail) {
    return HttpProblem.of(403, "forbidden", "Not allowed", detail);
  }

  /** The library's reason, for a debug line only: a client is told no more than {@link #NOT_VALID}. */
  private static String reason(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    // Never echo a token or anything long a client sent; the library's reasons are short sentences.
    return message.length() > 120 ? message.substring(0, 120) + "…" : message;
  }

  /** Whether vertx-auth-jwt refused the token for its expiry (which a client can mend by getting a new one). */
  private static boolean expired(Throwable failure) {
    return String.valueOf(failure.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("expired");
  }

  private static Future<JWTAuth> fetchJwks(Vertx vertx, WebClient client, AuthConfig config) {
    return client.getAbs(config.jwksUrl()).timeout(10_000).send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + response.statusCode());
      }
      JsonArray keys = response.bodyAsJsonObject().getJsonArray("keys");
      List<JsonObject> signing = new ArrayList<>();
      for (Object key : keys == null ? new JsonArray() : keys) {
        JsonObject jwk = ((JsonObject) key).copy();
        if ("enc".equals(jwk.getString("use"))) {
          continue;
        }
        if (!jwk.containsKey("alg")) {
          jwk.put("alg", config.algorithm());
        }
        signing.add(jwk);
      }
      if (signing.isEmpty()) {
        throw new IllegalStateException("the key set has no signing keys");
      }
      return JWTAuth.create(vertx, new JWTAuthOptions().setJwks(signing).setJWTOptions(verification(config)));
    });
  }

  private static String readPem(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("auth.publicKeyFile: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The claims as plain maps and lists, for {@link AccessPolicy}. */
  private static Map<String, Object> plain(JsonObject json) {
    Map<String, Object> map = new LinkedHashMap<>();
    json.forEach(entry -> map.put(entry.getKey(), plainValue(entry.getValue())));
    return map;
  }

  private static Object plainValue(Object value) {
    if (value instanceof JsonObject object) {
      return plain(object);
    }
    if (value instanceof JsonArray array) {
      List<Object> list = new ArrayList<>();
      array.forEach(v -> list.add(plainValue(v)));
      return list;
    }
    return value;
  }
}
