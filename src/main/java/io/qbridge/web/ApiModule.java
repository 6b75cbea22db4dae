package io.qbridge.web;

import io.vertx.ext.web.Router;

/**
 * One API family served by the gateway (Anthropic Messages, OpenAI, admin, …): it mounts its own
 * routes, its own authentication and its own failure handler, so errors on its paths come in its
 * {@link ErrorShape}. The HTTP verticle only composes modules; adding an API means adding a module.
 */
public interface ApiModule {

  /** Registers this module's routes and failure handlers on the gateway's router. */
  void mount(Router router);
}
