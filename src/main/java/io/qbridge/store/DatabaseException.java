package io.qbridge.store;

/**
 * A database cannot be opened, migrated or used. The message is for operators and logs (it may
 * name files and hosts, never a password), not for API clients.
 */
public class DatabaseException extends RuntimeException {

  public DatabaseException(String message) {
    super(message);
  }

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
