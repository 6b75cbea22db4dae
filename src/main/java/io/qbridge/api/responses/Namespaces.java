package io.qbridge.api.responses;

import java.util.Map;

/**
 * The functions of {@code namespace} tools, offered to Amazon Q under one flat name each
 * ({@code <namespace>__<function>}) and mapped back exactly: a call of the flat name becomes a
 * {@code function_call} with {@code namespace} and {@code name}, and such a call sent back in the
 * input becomes the flat name again. Immutable.
 */
final class Namespaces {

  static final String SEPARATOR = "__";
  static final Namespaces NONE = new Namespaces(Map.of());

  /** A namespaced function: its namespace and its own name. */
  record Qualified(String namespace, String name) {}

  private final Map<String, Qualified> byFlatName;

  Namespaces(Map<String, Qualified> byFlatName) {
    this.byFlatName = Map.copyOf(byFlatName);
  }

  static String flatName(String namespace, String name) {
    return namespace + SEPARATOR + name;
  }

  /** The namespace/name of a flat name the model called, or null for a plain function. */
  Qualified qualify(String flatName) {
    return flatName == null ? null : byFlatName.get(flatName);
  }
}
