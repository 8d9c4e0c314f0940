/**
 * Who may use the API: bearer JWTs verified with vertx-auth-jwt ({@link dev.orderflow.access.ApiAuthentication}),
 * the rules of {@link dev.orderflow.access.AccessPolicy}, and the development mode that issues a local key and demo
 * tokens when no keys are configured.
 */
package dev.orderflow.access;
