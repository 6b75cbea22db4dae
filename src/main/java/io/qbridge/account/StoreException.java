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
}
