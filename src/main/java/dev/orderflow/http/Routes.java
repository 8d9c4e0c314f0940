package dev.orderflow.http;

import io.vertx.ext.web.Router;

/**
 * A bounded context's contribution to the HTTP API. {@link #mount} is called once per server instance; the
 * handlers it installs must be safe to run on several event loops.
 */
@FunctionalInterface
public interface Routes {

  void mount(Router router);

  /**
   * Installs handlers that only watch requests (count their answers, say), ahead of the rate limit and the
   * authentication, so that they also see the requests those refuse. Called before {@link #mount}.
   */
  default void observe(Router router) {}
}
