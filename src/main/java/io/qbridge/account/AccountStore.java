package io.qbridge.account;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of {@link Account}s (q2api's {@code accounts} table). Obtained, already opened and
 * migrated, from {@link AccountStores#create}.
 *
 * <p>Contract: every method returns a future completed on the caller's context; failures are
 * {@link StoreException}s. Counter updates ({@link #recordSuccess}, {@link #recordFailure},
 * {@link #markRefreshFailed}) are single atomic SQL statements, never read-modify-write in Java,
 * so concurrent callers never lose an increment. Methods that change a row also set
 * {@code updated_at}. Methods addressing a row by id that does not exist are no-ops (update and
 * delete report it). Only the account pool (its verticle and the parts it wires) uses a store.
 */
public interface AccountStore {

  /** Inserts a new row; the account is returned as stored. */
  Future<Account> insert(Account account);

  /** All rows, newest first ({@code created_at DESC}). */
  Future<List<Account>> findAll();

  Future<Optional<Account>> findById(String id);

  /** Enabled rows, newest first. */
  Future<List<Account>> findEnabled();

  /**
   * Up to {@code limit} distinct enabled accounts holding a refresh or access token, in random
   * order (the lease policy: a uniformly random pick, retried on the next ones), skipping the
   * accounts in {@code exclude} and those whose persisted hold ({@code other.cooldownUntil},
   * {@code other.parkedUntil}) ends after {@code now}.
   */
  Future<List<Account>> findLeaseCandidates(int limit, Instant now, java.util.Collection<String> exclude);

  /** Applies a patch (see {@link AccountPatch} for side effects); empty if the id is unknown. */
  Future<Optional<Account>> update(String id, AccountPatch patch);

  /** Deletes a row; {@code false} if the id is unknown. */
  Future<Boolean> delete(String id);

  /** {@code success_count + 1}, {@code error_count = 0}. */
  default Future<Void> recordSuccess(String id) {
    return recordSuccesses(id, 1);
  }

  /** {@code success_count + count}, {@code error_count = 0}: several successes in one write. */
  Future<Void> recordSuccesses(String id, int count);

  /**
   * {@code error_count + 1}; when the new count reaches {@code maxErrorCount} the account is
   * disabled with {@code other.disabledReason = "max_error_count"}.
   */
  Future<Void> recordFailure(String id, int maxErrorCount);

  /** Stores a refresh result; a null {@code refreshToken} keeps the current one. */
  Future<Void> saveTokens(String id, String accessToken, String refreshToken, Instant expiresAt,
      Instant refreshTime, RefreshStatus status);

  /**
   * A failed refresh: {@code last_refresh_time = at}, {@code last_refresh_status = failed}, and one
   * failure counted exactly like {@link #recordFailure}.
   */
  Future<Void> markRefreshFailed(String id, Instant at, int maxErrorCount);

  /**
   * Merges {@code patch} into {@code other} in one statement (RFC 7386: a null member removes the
   * key), e.g. {@code {"cooldownUntil": "...", "cooldownReason": "throttled"}}.
   */
  Future<Void> mergeOther(String id, io.vertx.core.json.JsonObject patch);

  /** {@code enabled = 0}, and {@code disabledReason}/{@code disabledAt} merged into {@code other}. */
  Future<Void> disable(String id, String reason, Instant at);

  /** A row's three secret columns as stored (plaintext or encrypted, see {@link EncryptedAccountStore}). */
  record Secrets(String clientSecret, String refreshToken, String accessToken) {
    static Secrets of(Account a) {
      return new Secrets(a.clientSecret(), a.refreshToken(), a.accessToken());
    }

    @Override
    public String toString() {
      return "Secrets[…]";
    }
  }

  /**
   * Replaces a row's stored secrets with another encoding of the same values (encryption at rest:
   * the start-up migration and key rotation), only if they are still exactly {@code expected}: a
   * compare-and-set, so a token saved meanwhile (by another instance) is never overwritten.
   * {@code false} when the row changed or is gone. Not an account change: {@code updated_at} stays.
   */
  Future<Boolean> rewriteSecrets(String id, Secrets expected, Secrets replacement);

  /**
   * Erases, where the engine has a statement for it, what rewrites leave behind in the database
   * files: after {@link #rewriteSecrets} encrypted plaintext secrets, their old bytes may still sit
   * in free pages or the write-ahead log. SQLite: {@code VACUUM} (the file is rebuilt) and a
   * checkpoint that truncates the log. PostgreSQL: {@code VACUUM FULL accounts} (the table is
   * rewritten without its dead row versions; its write-ahead log is recycled by the server). Slow
   * on a large database: for start-up migrations only.
   */
  Future<Void> compact();

  Future<Integer> countEnabled();

  /** Succeeds when the database answers a trivial query. */
  Future<Void> ping();

  /** Releases the connections. */
  Future<Void> close();
}
