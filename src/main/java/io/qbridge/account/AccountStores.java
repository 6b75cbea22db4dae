package io.qbridge.account;

import io.qbridge.store.Database;
import io.qbridge.store.DatabaseException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Opens the {@link AccountStore} for {@code DATABASE_URL} ({@link io.qbridge.store.DatabaseUrl}
 * lists the accepted forms: {@code jdbc:sqlite:<file>}, the default as in q2api, and
 * {@code postgres://user:password@host:port/db} for several instances on one database). Both
 * engines get the same store ({@link SqlAccountStore}) with the same behaviour.
 *
 * <h2>SQLite concurrency</h2>
 * The SQLite store uses a pool of exactly <b>one</b> connection: every statement of the process is
 * serialised through it, so writers inside qbridge never meet {@code SQLITE_BUSY}, and each
 * statement (all counter updates are single statements) is atomic. Reads are point lookups on a
 * small table, so one connection is not a bottleneck next to the upstream calls. The pragmas every
 * connection gets are described in {@link Database}. The one write that must survive a power cut,
 * a refresh result (the OIDC server may have rotated the refresh token), is followed by a WAL
 * checkpoint, which fsyncs.
 *
 * <h2>PostgreSQL</h2>
 * A pool of {@link Database#POSTGRES_POOL_SIZE} connections; statements of one instance run
 * concurrently and counters stay exact because every counter update is one atomic statement.
 */
public final class AccountStores {

  /** One connection: the single writer (see class comment). */
  static final int SQLITE_POOL_SIZE = 1;

  private AccountStores() {}

  /**
   * Opens the database named by {@code databaseUrl} (DATABASE_URL) and the store on it: schema
   * created or migrated, writability checked. Fails with a {@link StoreException} whose message
   * says what is wrong (never a password). Closing the store closes the database. Call from the
   * context that will use the store.
   */
  public static Future<AccountStore> create(Vertx vertx, String databaseUrl) {
    return open(vertx, databaseUrl, SQLITE_POOL_SIZE);
  }

  /** As {@link #create} on an open database that the caller keeps and closes. */
  public static Future<AccountStore> create(Database db) {
    return SqlAccountStore.open(db, false);
  }

  /** {@link Database#open} with the account store's pool size, failures as {@link StoreException}s. */
  public static Future<Database> openDatabase(Vertx vertx, String databaseUrl) {
    return Database.open(vertx, databaseUrl, SQLITE_POOL_SIZE, "accounts").recover(AccountStores::asStoreFailure);
  }

  /**
   * Makes {@code cache} drop its view whenever any instance changes who may serve (PostgreSQL's
   * NOTIFY, see {@link CachedLeaseStore}); nothing on SQLite. Stops when {@code db} closes.
   */
  static void listenForChanges(Database db, CachedLeaseStore cache) {
    db.listen(SqlQueries.CHANGES_CHANNEL, cache::invalidate);
  }

  /** SQLite with an explicit pool size (tests use more than one connection to check the pragmas). */
  static Future<AccountStore> open(Vertx vertx, String url, int sqlitePoolSize) {
    return Database.open(vertx, url, sqlitePoolSize)
        .recover(AccountStores::asStoreFailure)
        .compose(db -> SqlAccountStore.open(db, true))
        .recover(AccountStores::withSqliteHint);
  }

  private static <T> Future<T> asStoreFailure(Throwable err) {
    return Future.failedFuture(err instanceof DatabaseException ? new StoreException(err.getMessage(), err.getCause()) : err);
  }

  private static Future<AccountStore> withSqliteHint(Throwable err) {
    String m = String.valueOf(err.getMessage());
    String hint = m.contains("SQLITE_CANTOPEN") ? " (check that the directory exists and is writable)"
        : m.contains("SQLITE_READONLY") ? " (the file or its directory is read-only)" : "";
    return Future.failedFuture(hint.isEmpty() ? err : new StoreException(m + hint, err.getCause()));
  }
}
