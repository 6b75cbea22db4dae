package io.qbridge.account;

/**
 * Any failure of the account store (cannot open, schema migration, I/O, locking). The message is
 * for operators and logs (it may contain file paths and driver messages), not for API clients.
 */
public class StoreException extends RuntimeException {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code future}, its failure (other than a StoreException) wrapped as "{@code what} failed: cause". */
  static <T> io.vertx.core.Future<T> guard(String what, io.vertx.core.Future<T> future) {
    return future.recover(err -> io.vertx.core.Future.failedFuture(err instanceof StoreException ? err
        : new StoreException(what + " failed: " + io.qbridge.store.Database.describe(err), err)));
  }
}
