package io.qbridge.account;

import static io.qbridge.account.AccountTestSupport.rawExecute;
import static io.qbridge.account.AccountTestSupport.rawRow;
import static io.qbridge.account.AccountTestSupport.sqliteUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.secrets.SecretCipher;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SECRETS_KEY: what reaches the database file, the start-up migration, wrong keys, rotation. */
@ExtendWith(VertxExtension.class)
class EncryptedAccountStoreTest {

  static final String KEY_A = newKey();
  static final String KEY_B = newKey();

  @TempDir
  Path dir;

  static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private AccountStore open(Vertx vertx, String key, String previous) {
    AccountStore plain = AccountStores.create(vertx, sqliteUrl(dir)).await();
    try {
      return EncryptedAccountStore.open(vertx, plain, key, previous).await();
    } catch (RuntimeException e) {
      plain.close().await();
      throw e;
    }
  }

  private static Account account(String id, String secret, String refresh, String access) {
    Instant now = UtcTimes.now();
    return new Account(id, "label-" + id, "cid-" + id, secret, refresh, access, new JsonObject(), null,
        RefreshStatus.NEVER, now, now, true, 0, 0, null);
  }

  /** The database as bytes on disk: the main file and its write-ahead log. */
  private String fileBytes() throws Exception {
    StringBuilder all = new StringBuilder();
    for (String name : new String[] {"accounts.sqlite3", "accounts.sqlite3-wal"}) {
      Path p = dir.resolve(name);
      if (Files.exists(p)) all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
    }
    return all.toString();
  }

  @Test
  void secretsNeverReachTheDatabaseFileInPlaintext(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    String id = UUID.randomUUID().toString();
    store.insert(account(id, "cs-PLAIN-0001", "rt-PLAIN-0002", "at-PLAIN-0003")).await();
    store.update(id, AccountPatch.builder().clientSecret("cs-PLAIN-0004").refreshToken("rt-PLAIN-0005")
        .accessToken("at-PLAIN-0006").label("visible-label").build()).await();
    store.saveTokens(id, "at-PLAIN-0007", "rt-PLAIN-0008", Instant.now().plusSeconds(3600), Instant.now(),
        RefreshStatus.SUCCESS).await();

    Account read = store.findById(id).await().orElseThrow();
    assertThat(read.clientSecret()).isEqualTo("cs-PLAIN-0004");
    assertThat(read.refreshToken()).isEqualTo("rt-PLAIN-0008");
    assertThat(read.accessToken()).isEqualTo("at-PLAIN-0007");
    assertThat(store.findLeaseCandidates(5, Instant.now(), java.util.List.of()).await())
        .singleElement().extracting(Account::accessToken).isEqualTo("at-PLAIN-0007");

    Map<String, Object> raw = rawRow(dir, id);
    assertThat(raw.get("clientSecret").toString()).startsWith("enc:v1:");
    assertThat(raw.get("refreshToken").toString()).startsWith("enc:v1:");
    assertThat(raw.get("accessToken").toString()).startsWith("enc:v1:");
    store.close().await();

    String bytes = fileBytes();
    assertThat(bytes).contains("visible-label"); // the search works on these bytes
    assertThat(bytes).doesNotContain("PLAIN-000");
  }

  @Test
  void sameValueEncryptsDifferentlyEveryTime(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    store.insert(account("one", "same", "same", "same")).await();
    Map<String, Object> raw = rawRow(dir, "one");
    assertThat(java.util.Set.of(raw.get("clientSecret"), raw.get("refreshToken"), raw.get("accessToken"))).hasSize(3);
    store.close().await();
  }

  @Test
  void plaintextRowsAreEncryptedAtStartAndLeaveNoPlaintextInTheFile(Vertx vertx) throws Exception {
    AccountStores.create(vertx, sqliteUrl(dir)).await().close().await(); // schema
    rawExecute(dir, "INSERT INTO accounts (id, label, \"clientId\", \"clientSecret\", \"refreshToken\", \"accessToken\","
        + " expires_at, enabled) VALUES ('legacy', 'old', 'cid', 'cs-LEGACY-1', 'rt-LEGACY-2', 'at-LEGACY-3',"
        + " '2030-01-01T00:00:00Z', 1), ('no-token', 'x', 'cid', 'cs-LEGACY-4', 'rt-LEGACY-5', NULL, NULL, 1)");

    AccountStore store = open(vertx, KEY_A, "");
    Account legacy = store.findById("legacy").await().orElseThrow();
    assertThat(legacy.clientSecret()).isEqualTo("cs-LEGACY-1");
    assertThat(legacy.accessToken()).isEqualTo("at-LEGACY-3");
    assertThat(legacy.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z")); // the rewrite is not a token change
    assertThat(store.findById("no-token").await().orElseThrow().accessToken()).isNull();
    assertThat(rawRow(dir, "legacy").get("refreshToken").toString()).startsWith("enc:v1:");
    assertThat(rawRow(dir, "no-token").get("accessToken")).isNull();
    store.close().await();
    assertThat(fileBytes()).doesNotContain("LEGACY-");

    // idempotent: a second start re-encodes nothing
    String before = rawRow(dir, "legacy").get("refreshToken").toString();
    open(vertx, KEY_A, "").close().await();
    assertThat(rawRow(dir, "legacy").get("refreshToken")).isEqualTo(before);
  }

  @Test
  void aWrongKeyFailsTheStartNamingTheAccountNeverTheValue(Vertx vertx) {
    AccountStore store = open(vertx, KEY_A, "");
    store.insert(account("acct-1", "cs-SECRET", "rt-SECRET", "at-SECRET")).await();
    store.close().await();

    Throwable err = catchThrowable(() -> open(vertx, KEY_B, ""));
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageContaining("Cannot decrypt the stored clientSecret of account acct-1")
        .hasMessageContaining("SECRETS_KEY")
        .hasMessageNotContaining("SECRET\"").hasMessageNotContaining(KEY_A).hasMessageNotContaining(KEY_B);
    assertThat(err.getMessage()).doesNotContain("cs-SECRET", "rt-SECRET", "at-SECRET");
  }

  @Test
  void encryptedRowsWithoutAKeyFailTheStartAskingForSecretsKey(Vertx vertx) {
    AccountStore store = open(vertx, KEY_A, "");
    store.insert(account("acct-1", "cs", "rt", "at")).await();
    store.close().await();

    Throwable err = catchThrowable(() -> open(vertx, "", ""));
    assertThat(err).isInstanceOf(StoreException.class).hasMessageContaining("SECRETS_KEY is not set")
        .hasMessageContaining("acct-1");
  }

  @Test
  void withoutAKeyPlaintextStoresWorkAsBefore(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, "", "");
    store.insert(account("plain", "cs-1", "rt-1", "at-1")).await();
    assertThat(rawRow(dir, "plain").get("refreshToken")).isEqualTo("rt-1");
    store.close().await();
  }

  @Test
  void rotationReEncryptsWithTheNewKeyAtStart(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    store.insert(account("acct-1", "cs-1", "rt-1", "at-1")).await();
    store.close().await();
    String underA = rawRow(dir, "acct-1").get("refreshToken").toString();

    AccountStore rotated = open(vertx, KEY_B, KEY_A);
    assertThat(rotated.findById("acct-1").await().orElseThrow().refreshToken()).isEqualTo("rt-1");
    rotated.close().await();
    assertThat(rawRow(dir, "acct-1").get("refreshToken").toString()).startsWith("enc:v1:").isNotEqualTo(underA);

    // the old key is no longer needed ...
    AccountStore onlyB = open(vertx, KEY_B, "");
    assertThat(onlyB.findById("acct-1").await().orElseThrow().clientSecret()).isEqualTo("cs-1");
    onlyB.close().await();
    // ... and no longer works
    assertThat(catchThrowable(() -> open(vertx, KEY_A, ""))).isInstanceOf(StoreException.class)
        .hasMessageContaining("account acct-1");
  }

  @Test
  void aValueMovedToAnotherRowOrColumnDoesNotDecrypt(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    store.insert(account("victim", "cs-v", "rt-v", "at-v")).await();
    store.insert(account("attacker", "cs-a", "rt-a", "at-a")).await();
    store.close().await();

    // the attacker's row gets the victim's refresh token ciphertext
    rawExecute(dir, "UPDATE accounts SET \"refreshToken\" = (SELECT \"refreshToken\" FROM accounts WHERE id = 'victim')"
        + " WHERE id = 'attacker'");
    assertThat(catchThrowable(() -> open(vertx, KEY_A, ""))).isInstanceOf(StoreException.class)
        .hasMessageContaining("refreshToken of account attacker");

    // in the same row, the refresh token's ciphertext moved into the access token column
    rawExecute(dir, "DELETE FROM accounts WHERE id = 'attacker'",
        "UPDATE accounts SET \"accessToken\" = \"refreshToken\" WHERE id = 'victim'");
    assertThat(catchThrowable(() -> open(vertx, KEY_A, ""))).isInstanceOf(StoreException.class)
        .hasMessageContaining("accessToken of account victim");
  }

  @Test
  void aRowWrittenInPlaintextWhileRunningIsReadAndEncryptedAtTheNextStart(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    // another instance still running without the key writes a plaintext row
    rawExecute(dir, "INSERT INTO accounts (id, \"clientId\", \"clientSecret\", \"refreshToken\", enabled)"
        + " VALUES ('late', 'cid', 'cs-late', 'rt-late', 1)");
    assertThat(store.findById("late").await().orElseThrow().refreshToken()).isEqualTo("rt-late");
    store.close().await();
    open(vertx, KEY_A, "").close().await();
    assertThat(rawRow(dir, "late").get("refreshToken").toString()).startsWith("enc:v1:");
  }

  @Test
  void rewriteIsACompareAndSet(Vertx vertx) throws Exception {
    AccountStore store = AccountStores.create(vertx, sqliteUrl(dir)).await();
    store.insert(account("row", "cs", "rt", null)).await();
    AccountStore.Secrets stale = new AccountStore.Secrets("cs", "rt-older", null);
    assertThat(store.rewriteSecrets("row", stale, new AccountStore.Secrets("x", "y", "z")).await()).isFalse();
    assertThat(store.rewriteSecrets("row", new AccountStore.Secrets("cs", "rt", null),
        new AccountStore.Secrets("x", "y", null)).await()).isTrue();
    assertThat(rawRow(dir, "row").get("refreshToken")).isEqualTo("y");
    store.close().await();
  }

  @Test
  void longListsAreDecryptedOffTheEventLoopWithTheSameResult(Vertx vertx) throws Exception {
    AccountStore store = open(vertx, KEY_A, "");
    int n = EncryptedAccountStore.INLINE_ROWS + 5;
    for (int i = 0; i < n; i++) store.insert(account("row-" + i, "cs-" + i, "rt-" + i, "at-" + i)).await();
    assertThat(store.findAll().await()).hasSize(n)
        .allSatisfy(a -> assertThat(a.refreshToken()).isEqualTo("rt-" + a.id().substring(4)));
    assertThat(store.findEnabled().await()).extracting(Account::accessToken).allMatch(v -> v.startsWith("at-"));
    // a row another key wrote fails the whole read, from the worker too
    AccountStore plainView = AccountStores.create(vertx, sqliteUrl(dir)).await();
    String foreign = new SecretCipher(KEY_B, "").encrypt("x", "row-3", "refreshToken");
    rawExecute(dir, "UPDATE accounts SET \"refreshToken\" = '" + foreign + "' WHERE id = 'row-3'");
    assertThat(catchThrowable(() -> store.findAll().await())).isInstanceOf(StoreException.class)
        .hasMessageContaining("refreshToken of account row-3");
    plainView.close().await();
    store.close().await();
  }
}
