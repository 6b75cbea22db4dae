package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link AccountStore} contract, one suite for every engine: {@link SqliteAccountStoreTest}
 * and {@link PostgresAccountStoreTest} run it (each adds its engine's own checks). Every test
 * starts on a fresh, empty database.
 */
@ExtendWith(VertxExtension.class)
abstract class AccountStoreContract {
  static final List<String> Q2API_COLUMNS = List.of("id", "label", "clientId", "clientSecret", "refreshToken",
      "accessToken", "other", "last_refresh_time", "last_refresh_status", "created_at", "updated_at", "enabled",
      "error_count", "success_count", "expires_at");

  /** DATABASE_URL of this test's fresh database. */
  abstract String databaseUrl();

  /** The accounts table's column names, read around the store. */
  abstract List<String> rawColumns() throws Exception;

  /** Runs statements on the database around the store (identifiers quoted, portable SQL). */
  abstract void rawExecute(String... statements) throws Exception;

  /** A store on this database whose pool has more than one connection. */
  abstract AccountStore openWithSeveralConnections(Vertx vertx);

  AccountStore open(Vertx vertx) {
    return AccountStores.create(vertx, databaseUrl()).await();
  }

  static Account account(String label, String accessToken) {
    Instant now = UtcTimes.now();
    return new Account(UUID.randomUUID().toString(), label, "cid", "secret", "rt", accessToken,
        new JsonObject().put("note", "keep me"), null, RefreshStatus.NEVER, now, now, true, 0, 0, null);
  }

  @Test
  void createsQ2apiSchemaAndRoundTripsEveryField(Vertx vertx) throws Exception {
    AccountStore store = open(vertx);
    assertThat(rawColumns()).containsExactlyInAnyOrderElementsOf(Q2API_COLUMNS);
    assertThat(store.countEnabled().await()).isZero();
    store.ping().await();

    Instant t = Instant.parse("2026-03-04T05:06:07.123Z");
    Account a = new Account(UUID.randomUUID().toString(), "läbel 'quoted' \"x\" ?", "cid?", "s$1", "rt", null,
        new JsonObject().put("nested", new JsonObject().put("k", List.of(1, 2))).put("émoji", "✓"),
        t, RefreshStatus.SUCCESS, t.minusSeconds(60), t, true, 3, 7, t.plusSeconds(3600));
    store.insert(a).await();
    Account back = store.findById(a.id()).await().orElseThrow();
    assertThat(back).isEqualTo(a);
    assertThat(store.findAll().await()).containsExactly(a);
    assertThat(store.findEnabled().await()).containsExactly(a);
    assertThat(store.countEnabled().await()).isEqualTo(1);
    assertThat(store.findById("missing").await()).isEmpty();
    store.close().await();
  }

  @Test
  void listsNewestFirst(Vertx vertx) {
    AccountStore store = open(vertx);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 3; i++) {
      Account a = account("n" + i, "at");
      store.insert(new Account(a.id(), a.label(), a.clientId(), a.clientSecret(), a.refreshToken(), a.accessToken(),
          a.other(), null, RefreshStatus.NEVER, base.plusSeconds(i), base.plusSeconds(i), i != 1, 0, 0, null)).await();
    }
    assertThat(store.findAll().await()).extracting(Account::label).containsExactly("n2", "n1", "n0");
    assertThat(store.findEnabled().await()).extracting(Account::label).containsExactly("n2", "n0");
  }

  @Test
  void migratesAnOlderQ2apiTableByAddingMissingColumns(Vertx vertx) throws Exception {
    rawExecute(
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, label TEXT, \"clientId\" TEXT, \"clientSecret\" TEXT,"
            + " \"refreshToken\" TEXT, \"accessToken\" TEXT, other TEXT, last_refresh_time TEXT, last_refresh_status TEXT,"
            + " created_at TEXT, updated_at TEXT, enabled INTEGER DEFAULT 1)",
        "INSERT INTO accounts VALUES ('old-1', 'legacy', 'cid', 'cs', 'rt', 'at', '{\"source\":\"feed\"}',"
            + " '2025-11-10T12:34:56', 'success', '2025-11-01T08:00:00', '2025-11-10T12:34:56', 1)");

    AccountStore store = open(vertx);
    assertThat(rawColumns()).containsExactlyInAnyOrderElementsOf(Q2API_COLUMNS);

    Account old = store.findById("old-1").await().orElseThrow();
    assertThat(old.errorCount()).isZero();
    assertThat(old.successCount()).isZero();
    assertThat(old.expiresAt()).isNull();
    assertThat(old.enabled()).isTrue();
    assertThat(old.lastRefreshStatus()).isEqualTo(RefreshStatus.SUCCESS);
    assertThat(old.lastRefreshTime()).isEqualTo(Instant.parse("2025-11-10T12:34:56Z")); // UTC, not local time
    assertThat(old.createdAt()).isEqualTo(Instant.parse("2025-11-01T08:00:00Z"));
    assertThat(old.other().getString("source")).isEqualTo("feed");

    store.recordSuccess("old-1").await();
    assertThat(store.findById("old-1").await().orElseThrow().successCount()).isEqualTo(1);
    store.close().await();

    AccountStore reopened = open(vertx); // migration is idempotent
    assertThat(reopened.findAll().await()).hasSize(1);
    reopened.close().await();
  }

  @Test
  void severalInstancesOpeningAtOnceMigrateOnce(Vertx vertx) {
    List<Future<AccountStore>> opening = IntStream.range(0, 4)
        .mapToObj(i -> AccountStores.create(vertx, databaseUrl())).toList();
    Future.all(opening).await();
    AccountStore one = opening.get(0).result();
    Account a = one.insert(account("shared", "at")).await();
    for (Future<AccountStore> f : opening) {
      assertThat(f.result().findById(a.id()).await()).isPresent();
      f.result().close().await();
    }
  }

  @Test
  void concurrentFailuresAreCountedExactlyAndDisableOnceAtMax(Vertx vertx) {
    AccountStore store = openWithSeveralConnections(vertx);
    Account a = store.insert(account("busy", "at")).await();
    List<Future<Void>> writes = IntStream.range(0, 200).mapToObj(i -> store.recordFailure(a.id(), 150)).toList();
    Future.all(writes).await();

    Account after = store.findById(a.id()).await().orElseThrow();
    assertThat(after.errorCount()).isEqualTo(200);
    assertThat(after.enabled()).isFalse();
    assertThat(after.other().getString("disabledReason")).isEqualTo("max_error_count");
    assertThat(after.other().getString("disabledAt")).isNotBlank();
    assertThat(after.other().getString("note")).isEqualTo("keep me");
    store.close().await();
  }

  @Test
  void concurrentSuccessesAreCountedExactly(Vertx vertx) {
    AccountStore store = openWithSeveralConnections(vertx);
    Account a = store.insert(account("busy", "at")).await();
    Future.all(IntStream.range(0, 300).mapToObj(i -> store.recordSuccess(a.id())).toList()).await();
    assertThat(store.findById(a.id()).await().orElseThrow().successCount()).isEqualTo(300);
    store.close().await();
  }

  @Test
  void successResetsConsecutiveErrors(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    store.recordFailure(a.id(), 10).await();
    store.recordFailure(a.id(), 10).await();
    store.recordSuccess(a.id()).await();
    Account after = store.findById(a.id()).await().orElseThrow();
    assertThat(after.errorCount()).isZero();
    assertThat(after.successCount()).isEqualTo(1);
    assertThat(after.enabled()).isTrue();
  }

  @Test
  void patchChangesOnlyGivenFieldsAndReEnablingClearsTheDisabledState(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    store.saveTokens(a.id(), "at2", null, Instant.now().plusSeconds(3600), Instant.now(), RefreshStatus.SUCCESS).await();
    store.mergeOther(a.id(), new JsonObject().put("cooldownUntil", "2026-01-01T00:00:00.000Z").put("cooldownReason", "x"))
        .await();
    store.recordFailure(a.id(), 1).await();
    Account disabled = store.findById(a.id()).await().orElseThrow();
    assertThat(disabled.enabled()).isFalse();
    assertThat(disabled.refreshToken()).isEqualTo("rt"); // null refresh token kept the old one
    assertThat(disabled.lastRefreshStatus()).isEqualTo(RefreshStatus.SUCCESS);

    Account relabelled = store.update(a.id(), AccountPatch.builder().label("b").build()).await().orElseThrow();
    assertThat(relabelled.label()).isEqualTo("b");
    assertThat(relabelled.accessToken()).isEqualTo("at2");
    assertThat(relabelled.expiresAt()).isNotNull();
    assertThat(relabelled.enabled()).isFalse();

    Account enabled = store.update(a.id(), AccountPatch.builder().enabled(true).accessToken("at3").build())
        .await().orElseThrow();
    assertThat(enabled.enabled()).isTrue();
    assertThat(enabled.errorCount()).isZero();
    assertThat(enabled.other().fieldNames()).containsExactly("note"); // disabled and hold markers removed
    assertThat(enabled.accessToken()).isEqualTo("at3");
    assertThat(enabled.expiresAt()).isNull(); // the expiry belonged to the replaced token

    Account replaced = store.update(a.id(), AccountPatch.builder().other(new JsonObject().put("only", 1)).build())
        .await().orElseThrow();
    assertThat(replaced.other()).isEqualTo(new JsonObject().put("only", 1));

    assertThat(store.update("missing", AccountPatch.builder().label("x").build()).await()).isEmpty();
    assertThat(store.delete(a.id()).await()).isTrue();
    assertThat(store.delete(a.id()).await()).isFalse();
  }

  @Test
  void markRefreshFailedCountsOneFailure(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    Instant at = Instant.parse("2026-02-03T04:05:06Z");
    store.markRefreshFailed(a.id(), at, 2).await();
    Account once = store.findById(a.id()).await().orElseThrow();
    assertThat(once.lastRefreshStatus()).isEqualTo(RefreshStatus.FAILED);
    assertThat(once.lastRefreshTime()).isEqualTo(at);
    assertThat(once.errorCount()).isEqualTo(1);
    assertThat(once.enabled()).isTrue();
    store.markRefreshFailed(a.id(), at, 2).await();
    assertThat(store.findById(a.id()).await().orElseThrow().enabled()).isFalse();
  }

  @Test
  void mergeOtherIsAJsonMergePatch(Vertx vertx) throws Exception {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    store.mergeOther(a.id(), new JsonObject().put("catalog", new JsonObject().put("x", 1).put("y", 2)).put("k", "v"))
        .await();
    store.mergeOther(a.id(), new JsonObject().put("catalog", new JsonObject().put("y", (Object) null).put("z", 3))
        .put("k", (Object) null).put("list", new JsonArray().add(1))).await();
    assertThat(store.findById(a.id()).await().orElseThrow().other()).isEqualTo(new JsonObject().put("note", "keep me")
        .put("catalog", new JsonObject().put("x", 1).put("z", 3)).put("list", new JsonArray().add(1)));

    // other holding garbage (hand-edited) counts as {} when something is merged into it
    rawExecute("UPDATE accounts SET other = 'not json' WHERE id = '" + a.id() + "'");
    assertThat(store.findById(a.id()).await().orElseThrow().other().getString("_unparsed")).isEqualTo("not json");
    store.disable(a.id(), "manual", Instant.parse("2026-01-02T03:04:05Z")).await();
    Account disabled = store.findById(a.id()).await().orElseThrow();
    assertThat(disabled.enabled()).isFalse();
    assertThat(disabled.other()).isEqualTo(new JsonObject().put("disabledReason", "manual")
        .put("disabledAt", "2026-01-02T03:04:05.000Z"));
  }

  @Test
  void leaseCandidatesAreEnabledWithATokenNotHeldNotExcludedAndLimited(Vertx vertx) throws Exception {
    AccountStore store = open(vertx);
    Instant now = Instant.parse("2026-06-01T12:00:00Z");
    Account free1 = store.insert(account("free1", "at")).await();
    Account free2 = store.insert(account("free2", null)).await(); // refresh token only
    Account excluded = store.insert(account("excluded", "at")).await();
    Account cooling = store.insert(account("cooling", "at")).await();
    Account cooled = store.insert(account("cooled", "at")).await();
    Account parked = store.insert(account("parked", "at")).await();
    Account disabled = store.insert(account("disabled", "at")).await();
    Account tokenless = store.insert(account("tokenless", null)).await();
    store.mergeOther(cooling.id(), new JsonObject().put("cooldownUntil", "2026-06-01T12:00:01.000Z")).await();
    store.mergeOther(cooled.id(), new JsonObject().put("cooldownUntil", "2026-06-01T11:59:59.000Z")).await();
    store.mergeOther(parked.id(), new JsonObject().put("parkedUntil", "2026-06-02T00:00:00.000Z")).await();
    store.disable(disabled.id(), "manual", now).await();
    rawExecute("UPDATE accounts SET \"refreshToken\" = '' WHERE id = '" + tokenless.id() + "'");

    Set<String> ids = new HashSet<>();
    store.findLeaseCandidates(10, now, Set.of(excluded.id())).await().forEach(x -> ids.add(x.id()));
    assertThat(ids).containsExactlyInAnyOrder(free1.id(), free2.id(), cooled.id());
    assertThat(store.findLeaseCandidates(2, now, Set.of()).await()).hasSize(2);
    assertThat(store.findLeaseCandidates(10, now.plusSeconds(86_400), List.of()).await()).hasSize(6);
  }

  // ---- secrets at rest (EncryptedAccountStore over this engine) ----

  @Test
  void rewriteSecretsIsACompareAndSetThatKeepsTheRestOfTheRow(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("cas", null)).await();
    Instant expires = Instant.parse("2030-01-01T00:00:00Z");
    store.saveTokens(a.id(), "at-1", null, expires, Instant.parse("2026-01-01T00:00:00Z"), RefreshStatus.SUCCESS).await();
    Account before = store.findById(a.id()).await().orElseThrow();
    AccountStore.Secrets current = AccountStore.Secrets.of(before);
    assertThat(store.rewriteSecrets(a.id(), new AccountStore.Secrets("secret", "rt-stale", "at-1"),
        new AccountStore.Secrets("x", "y", "z")).await()).isFalse();
    assertThat(store.rewriteSecrets(a.id(), current, new AccountStore.Secrets("cs-2", "rt-2", null)).await()).isTrue();
    Account after = store.findById(a.id()).await().orElseThrow();
    assertThat(List.of(after.clientSecret(), after.refreshToken())).containsExactly("cs-2", "rt-2");
    assertThat(after.accessToken()).isNull();
    assertThat(after.expiresAt()).isEqualTo(expires);
    assertThat(after.updatedAt()).isEqualTo(before.updatedAt());
    assertThat(store.rewriteSecrets("unknown", current, current).await()).isFalse();
  }

  @Test
  void secretsAreEncryptedMigratedAndRotatedOnThisEngine(Vertx vertx) {
    String keyA = EncryptedAccountStoreTest.newKey();
    String keyB = EncryptedAccountStoreTest.newKey();
    AccountStore plain = open(vertx);
    Account legacy = plain.insert(account("legacy", "at-L")).await();
    Instant expires = Instant.parse("2030-01-01T00:00:00Z");
    plain.saveTokens(legacy.id(), "at-L", null, expires, Instant.parse("2026-01-01T00:00:00Z"), RefreshStatus.SUCCESS).await();

    // start with a key: the plaintext row is encrypted in place, nothing else about it changes
    AccountStore encrypted = EncryptedAccountStore.open(vertx, plain, keyA, "").await();
    Account raw = plain.findById(legacy.id()).await().orElseThrow();
    assertThat(List.of(raw.clientSecret(), raw.refreshToken(), raw.accessToken())).allMatch(v -> v.startsWith("enc:v1:"));
    assertThat(raw.expiresAt()).isEqualTo(expires);
    Account read = encrypted.findById(legacy.id()).await().orElseThrow();
    assertThat(List.of(read.clientSecret(), read.refreshToken(), read.accessToken())).containsExactly("secret", "rt", "at-L");

    // writes through it are encrypted too
    Account fresh = encrypted.insert(account("fresh", "at-F")).await();
    encrypted.update(fresh.id(), AccountPatch.builder().refreshToken("rt-F2").build()).await();
    encrypted.saveTokens(fresh.id(), "at-F2", "rt-F3", expires, expires, RefreshStatus.SUCCESS).await();
    Account rawFresh = plain.findById(fresh.id()).await().orElseThrow();
    assertThat(rawFresh.refreshToken()).startsWith("enc:v1:");
    assertThat(rawFresh.accessToken()).startsWith("enc:v1:");
    assertThat(encrypted.findLeaseCandidates(10, Instant.now(), List.of()).await())
        .extracting(Account::accessToken).containsExactlyInAnyOrder("at-L", "at-F2");
    plain.close().await();

    // a wrong key, and no key, stop the start
    AccountStore again = open(vertx);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EncryptedAccountStore.open(vertx, again, keyB, "").await()))
        .isInstanceOf(StoreException.class).hasMessageContaining("Cannot decrypt");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EncryptedAccountStore.open(vertx, again, "", "").await()))
        .isInstanceOf(StoreException.class).hasMessageContaining("SECRETS_KEY is not set");

    // rotation: the previous key opens, the new key re-encrypts, then the old one is not needed
    String underA = again.findById(fresh.id()).await().orElseThrow().refreshToken();
    EncryptedAccountStore.open(vertx, again, keyB, keyA).await();
    assertThat(again.findById(fresh.id()).await().orElseThrow().refreshToken()).startsWith("enc:v1:").isNotEqualTo(underA);
    AccountStore onlyB = EncryptedAccountStore.open(vertx, again, keyB, "").await();
    assertThat(onlyB.findById(fresh.id()).await().orElseThrow().refreshToken()).isEqualTo("rt-F3");
    again.close().await();
  }
}
