package dev.orderflow.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * What guards the API's resources, assembled by the application: the per-client rate limit, the bearer-token check
 * that every request to {@code /orders} and {@code /inventory} passes first, the check that only operators read the
 * inventory, and the check on {@code /metrics} (null when metrics are open, or served on a management port only).
 */
public record ApiSecurity(
    RateLimiter rateLimiter,
    Handler<RoutingContext> authenticate,
    Handler<RoutingContext> inventoryAccess,
    Handler<RoutingContext> metricsAccess,
    boolean metricsOnApiPort) {}
