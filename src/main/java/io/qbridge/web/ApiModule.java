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

  /** The error shape of this module's routes. */
  ErrorShape errorShape();

  /**
   * Whether {@code path} belongs to this module: used for the errors vertx-web answers before any
   * route matched (a path it cannot decode), so they too come in the module's shape.
   */
  boolean serves(String path);
}
