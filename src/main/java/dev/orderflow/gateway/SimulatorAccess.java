package dev.orderflow.gateway;

import dev.orderflow.config.Secret;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who may use the simulator, decided once for every request before any route. With a token configured, every
 * request must present it ({@code Authorization: Bearer}), whatever its path: the charge log names customers and
 * amounts, and the fault switch can stop payments. Without one, the charge API is open (the simulator listens on
 * loopback by default), and {@code /v1/faults} is served only to a caller on this machine that names this machine
 * in its {@code Host}: a web page in a local browser whose name was made to resolve to 127.0.0.1 (DNS rebinding)
 * reaches the simulator from loopback, but with its own name as the Host.
 */
final class SimulatorAccess implements Handler<RoutingContext> {

  private static final String FAULTS = "/v1/faults";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.%]+");

  private final Secret token;

  SimulatorAccess(Secret token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token.present()) {
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
      if (MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
          token.reveal().getBytes(StandardCharsets.UTF_8))) {
        ctx.next();
      } else {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway-simulator\"");
        refuse(ctx, 401, "the gateway simulator needs its bearer token");
      }
      return;
    }
    String path = ctx.request().path();
    boolean faults = path != null && (path.equals(FAULTS) || path.startsWith(FAULTS + "/"));
    boolean local = loopback(ctx.request().remoteAddress())
        && loopbackHost(ctx.request().getHeader(HttpHeaders.HOST));
    if (!faults || local) {
      ctx.next();
    } else {
      refuse(ctx, 403, FAULTS + " is open only to callers on this machine that name it (Host: localhost or a "
          + "loopback address); configure ORDERFLOW_GATEWAY_FAULTS_TOKEN to allow others");
    }
  }

  private static void refuse(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  private static boolean loopback(SocketAddress remote) {
    return remote != null && remote.hostAddress() != null && loopbackLiteral(remote.hostAddress());
  }

  /** {@code localhost} or a loopback address, with or without a port; no Host at all is no loopback Host. */
  static boolean loopbackHost(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    String name = host.trim();
    if (name.startsWith("[")) {
      int close = name.indexOf(']');
      if (close < 0 || (close + 1 < name.length() && name.charAt(close + 1) != ':')) {
        return false;
      }
      name = name.substring(1, close);
    } else if (name.indexOf(':') == name.lastIndexOf(':') && name.indexOf(':') >= 0) {
      name = name.substring(0, name.indexOf(':'));
    }
    return name.toLowerCase(Locale.ROOT).equals("localhost") || loopbackLiteral(name);
  }

  /** A literal loopback address; never a DNS lookup (on an event loop): any other name is no loopback. */
  private static boolean loopbackLiteral(String address) {
    if (IPV4.matcher(address).matches()) {
      String[] octets = address.split("\\.");
      for (String octet : octets) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return octets[0].equals("127");
    }
    try {
      // With a colon, InetAddress reads an IPv6 literal and never looks the name up.
      return address.indexOf(':') >= 0 && IPV6.matcher(address).matches()
          && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
