package io.qbridge.account;

import io.qbridge.secrets.SecretCipher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryption at rest (SECRETS_KEY): an {@link AccountStore} decorator that stores
 * {@code clientSecret}, {@code refreshToken} and {@code accessToken} encrypted with
 * {@link SecretCipher} and hands out plaintext, so every engine behind the contract (SQLite,
 * PostgreSQL) gets it the same way and nothing above the store changes.
 *
 * <p>{@link #open} is the start-up gate of every store, key or not:
 * <ul>
 *   <li>no key: any encrypted value in the database fails the start ("set SECRETS_KEY"); without
 *       the key those values could only be used as garbage tokens;</li>
 *   <li>key set: every row is checked; plaintext values are encrypted, values the previous key
 *       (SECRETS_KEY_PREVIOUS) opens are re-encrypted with the current one, and a value neither
 *       key opens fails the start naming the account and column, never its value.</li>
 * </ul>
 * Reads pass a value without the {@link SecretCipher#PREFIX} through as plaintext: a row written
 * meanwhile by an instance running without the key still works and is encrypted at the next start.
 * Reads that meet a value no key opens fail with a {@link StoreException}, never with garbage.
 */
final class EncryptedAccountStore implements AccountStore {
  private static final Logger LOG = LoggerFactory.getLogger(EncryptedAccountStore.class);

  static final String CLIENT_SECRET = AccountPatch.Field.CLIENT_SECRET.key();
  static final String REFRESH_TOKEN = AccountPatch.Field.REFRESH_TOKEN.key();
  static final String ACCESS_TOKEN = AccountPatch.Field.ACCESS_TOKEN.key();

  /**
   * Lists up to this long are decrypted in place; longer ones on a worker thread. One value takes
   * ~15-20 µs (AES-GCM of a ~600-character token on the loaded 2-core build machine), so a row's
   * three ~60 µs: 16 rows stay under 1 ms of event loop, while 1,000 accounts (read by the lease
   * cache every second, by the console every 2 s) would hold it for ~50 ms.
   */
  static final int INLINE_ROWS = 16;

  private final Vertx vertx;
  private final AccountStore delegate;
  private final SecretCipher cipher;

  EncryptedAccountStore(Vertx vertx, AccountStore delegate, SecretCipher cipher) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.cipher = cipher;
  }

  /**
   * The store to use for {@code secretsKey} (empty = no encryption): {@code plain} itself, checked
   * to hold no encrypted value, or this decorator over it after the migration described in the
   * class comment. Fails with a {@link StoreException} saying what to set.
   */
  static Future<AccountStore> open(Vertx vertx, AccountStore plain, String secretsKey, String secretsKeyPrevious) {
    if (secretsKey == null || secretsKey.isEmpty()) {
      return plain.findAll().map(rows -> {
        for (Account a : rows) {
          if (SecretCipher.isEncrypted(a.clientSecret()) || SecretCipher.isEncrypted(a.refreshToken())
              || SecretCipher.isEncrypted(a.accessToken())) {
            throw new StoreException("The account database holds encrypted secrets (account " + a.id()
                + ") but SECRETS_KEY is not set: set SECRETS_KEY to the key they were encrypted with");
          }
        }
        return plain;
      });
    }
    return vertx.executeBlocking(() -> new SecretCipher(secretsKey, secretsKeyPrevious))
        .compose(cipher -> {
          EncryptedAccountStore store = new EncryptedAccountStore(vertx, plain, cipher);
          return store.migrate().map(store);
        });
  }

  /** A row whose stored secrets must be re-encoded: from what is stored to what should be. */
  private record Rewrite(String id, Secrets stored, Secrets target) {}

  /**
   * Brings every row to "encrypted with the current key": the cipher work (every value of every
   * row decrypted or encrypted) on a worker thread, then one compare-and-set per row that needs it.
   */
  private Future<Void> migrate() {
    return delegate.findAll()
        .compose(rows -> vertx.executeBlocking(() -> rewritesOf(rows), false).compose(rewrites -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (Rewrite r : rewrites) chain = chain.compose(n -> apply(r).map(done -> done ? n + 1 : n));
          return chain.compose(n -> {
            LOG.info("secrets at rest: encrypted with SECRETS_KEY ({} of {} accounts re-encoded now)", n, rows.size());
            // the plaintext (or old-key) bytes of the rewritten values must not linger in free pages
            return n == 0 ? Future.succeededFuture() : delegate.compact();
          });
        }));
  }

  /** Throws a {@link StoreException} for the first value no key opens. */
  private List<Rewrite> rewritesOf(List<Account> rows) {
    List<Rewrite> out = new ArrayList<>();
    for (Account row : rows) {
      Secrets stored = Secrets.of(row);
      Secrets target = new Secrets(reseal(row.id(), CLIENT_SECRET, stored.clientSecret()),
          reseal(row.id(), REFRESH_TOKEN, stored.refreshToken()), reseal(row.id(), ACCESS_TOKEN, stored.accessToken()));
      if (!same(stored, target)) out.add(new Rewrite(row.id(), stored, target));
    }
    return out;
  }

  private Future<Boolean> apply(Rewrite r) {
    return delegate.rewriteSecrets(r.id(), r.stored(), r.target()).map(done -> {
      if (!done) LOG.warn("secrets at rest: account {} changed while being encrypted; it is checked again at the next start", r.id());
      return done;
    });
  }

  private static boolean same(Secrets a, Secrets b) {
    return java.util.Objects.equals(a.clientSecret(), b.clientSecret())
        && java.util.Objects.equals(a.refreshToken(), b.refreshToken())
        && java.util.Objects.equals(a.accessToken(), b.accessToken());
  }

  /** The stored value as it should be: unchanged when already under the current key, else (re-)encrypted. */
  private String reseal(String id, String column, String stored) {
    if (stored == null || stored.isEmpty()) return stored;
    if (!SecretCipher.isEncrypted(stored)) return cipher.encrypt(stored, id, column);
    SecretCipher.Opened opened = open(id, column, stored);
    return opened.key() == SecretCipher.KeyUsed.CURRENT ? stored : cipher.encrypt(opened.plaintext(), id, column);
  }

  private SecretCipher.Opened open(String id, String column, String stored) {
    try {
      return cipher.decrypt(stored, id, column);
    } catch (SecretCipher.UndecryptableException e) {
      throw new StoreException("Cannot decrypt the stored " + column + " of account " + id + ": " + e.getMessage()
          + ". Is SECRETS_KEY the key these secrets were encrypted with? When rotating keys, set SECRETS_KEY_PREVIOUS"
          + " to the old key.");
    }
  }

  // ---- value mapping ----

  private String seal(String id, String column, String plaintext) {
    return plaintext == null || plaintext.isEmpty() ? plaintext : cipher.encrypt(plaintext, id, column);
  }

  private String unseal(String id, String column, String stored) {
    return SecretCipher.isEncrypted(stored) ? open(id, column, stored).plaintext() : stored;
  }

  private Account sealed(Account a) {
    return new Account(a.id(), a.label(), a.clientId(), seal(a.id(), CLIENT_SECRET, a.clientSecret()),
        seal(a.id(), REFRESH_TOKEN, a.refreshToken()), seal(a.id(), ACCESS_TOKEN, a.accessToken()), a.other(),
        a.lastRefreshTime(), a.lastRefreshStatus(), a.createdAt(), a.updatedAt(), a.enabled(), a.errorCount(),
        a.successCount(), a.expiresAt());
  }

  private Account unsealed(Account a) {
    return new Account(a.id(), a.label(), a.clientId(), unseal(a.id(), CLIENT_SECRET, a.clientSecret()),
        unseal(a.id(), REFRESH_TOKEN, a.refreshToken()), unseal(a.id(), ACCESS_TOKEN, a.accessToken()), a.other(),
        a.lastRefreshTime(), a.lastRefreshStatus(), a.createdAt(), a.updatedAt(), a.enabled(), a.errorCount(),
        a.successCount(), a.expiresAt());
  }

  /** Decrypted rows: in place when few, else off the event loop (see {@link #INLINE_ROWS}). */
  private Future<List<Account>> unsealed(List<Account> rows) {
    if (rows.size() > INLINE_ROWS) return vertx.executeBlocking(() -> unsealedNow(rows), false);
    try {
      return Future.succeededFuture(unsealedNow(rows));
    } catch (StoreException e) {
      return Future.failedFuture(e);
    }
  }

  private List<Account> unsealedNow(List<Account> rows) {
    List<Account> out = new ArrayList<>(rows.size());
    for (Account a : rows) out.add(unsealed(a));
    return out;
  }

  private AccountPatch sealed(String id, AccountPatch patch) {
    AccountPatch out = patch;
    for (AccountPatch.Field field : List.of(AccountPatch.Field.CLIENT_SECRET, AccountPatch.Field.REFRESH_TOKEN,
        AccountPatch.Field.ACCESS_TOKEN)) {
      if (patch.has(field)) out = out.withValue(field, seal(id, field.key(), (String) patch.changes().get(field)));
    }
    return out;
  }

  // ---- the contract ----

  @Override
  public Future<Account> insert(Account account) {
    return delegate.insert(sealed(account)).map(account);
  }

  @Override
  public Future<List<Account>> findAll() {
    return delegate.findAll().compose(this::unsealed);
  }

  @Override
  public Future<Optional<Account>> findById(String id) {
    return delegate.findById(id).map(found -> found.map(this::unsealed));
  }

  @Override
  public Future<List<Account>> findEnabled() {
    return delegate.findEnabled().compose(this::unsealed);
  }

  @Override
  public Future<List<Account>> findLeaseCandidates(int limit, Instant now, Collection<String> exclude) {
    return delegate.findLeaseCandidates(limit, now, exclude).compose(this::unsealed);
  }

  @Override
  public Future<Optional<Account>> update(String id, AccountPatch patch) {
    return delegate.update(id, sealed(id, patch)).map(found -> found.map(this::unsealed));
  }

  @Override
  public Future<Void> saveTokens(String id, String accessToken, String refreshToken, Instant expiresAt,
      Instant refreshTime, RefreshStatus status) {
    return delegate.saveTokens(id, seal(id, ACCESS_TOKEN, accessToken), seal(id, REFRESH_TOKEN, refreshToken),
        expiresAt, refreshTime, status);
  }

  /** Stored forms on both sides (what {@link Secrets} means): passed through unchanged. */
  @Override
  public Future<Boolean> rewriteSecrets(String id, Secrets expected, Secrets replacement) {
    return delegate.rewriteSecrets(id, expected, replacement);
  }

  @Override public Future<Boolean> delete(String id) { return delegate.delete(id); }

  @Override public Future<Void> recordSuccesses(String id, int count) { return delegate.recordSuccesses(id, count); }

  @Override public Future<Void> recordFailure(String id, int maxErrorCount) { return delegate.recordFailure(id, maxErrorCount); }

  @Override
  public Future<Void> markRefreshFailed(String id, Instant at, int maxErrorCount) {
    return delegate.markRefreshFailed(id, at, maxErrorCount);
  }

  @Override public Future<Void> mergeOther(String id, JsonObject patch) { return delegate.mergeOther(id, patch); }

  @Override public Future<Void> disable(String id, String reason, Instant at) { return delegate.disable(id, reason, at); }

  @Override public Future<Integer> countEnabled() { return delegate.countEnabled(); }

  @Override public Future<Void> ping() { return delegate.ping(); }

  @Override public Future<Void> compact() { return delegate.compact(); }

  @Override public Future<Void> close() { return delegate.close(); }
}
