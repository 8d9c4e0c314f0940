/**
 * The HTTP edge shared by the bounded contexts: one server (any number of event-loop instances) onto which each
 * context running in this process mounts its {@link dev.orderflow.http.Routes}, the health endpoints, load
 * shedding, and the single failure handler that turns every error into {@code application/problem+json}
 * (RFC 9457).
 */
package dev.orderflow.http;
