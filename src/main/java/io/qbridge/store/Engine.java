package io.qbridge.store;

/** The database engines qbridge stores its state in. */
public enum Engine {
  /** One file, one process (the embedded default, as in q2api). */
  SQLITE,
  /** A shared server: several qbridge instances on one database. */
  POSTGRES
}
