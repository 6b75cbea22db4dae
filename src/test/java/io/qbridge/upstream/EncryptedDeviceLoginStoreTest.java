package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.secrets.SecretCipher;
import io.qbridge.store.Database;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeviceLoginStoreContract} through {@link EncryptedDeviceLoginStore} on SQLite (two
 * instances, one key), and what the rows hold: a pending login's client secret and device code
 * only as SECRETS_KEY ciphertext bound to the login and the column.
 */
class EncryptedDeviceLoginStoreTest extends DeviceLoginStoreContract {

  static final String KEY = key();
  static final String OTHER_KEY = key();

  @TempDir
  Path dir;
  private final List<Database> opened = new ArrayList<>();

  static String key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("logins.sqlite3");
  }

  @Override
  DeviceLoginStore[] openTwo(Vertx vertx) {
    DeviceLoginStore[] plain = openTwoSql(vertx, url(), opened);
    SecretCipher cipher = new SecretCipher(KEY, "");
    return new DeviceLoginStore[] {new EncryptedDeviceLoginStore(plain[0], cipher), new EncryptedDeviceLoginStore(plain[1], cipher)};
  }

  @Override
  void closeAll() {
    opened.forEach(db -> db.close().await());
  }

  private Row raw(String authId) {
    return opened.get(0).preparedQuery("SELECT client_secret, device_code FROM device_logins WHERE auth_id = ?")
        .execute(Tuple.of(authId)).await().iterator().next();
  }

  @Test
  void aPendingLoginsSecretsAreStoredOnlyAsCiphertext() {
    a.insert(pending("s1", "A", T0 + 60_000, T0 + 30_000)).await();
    Row row = raw("s1");
    assertThat(row.getString("client_secret")).startsWith(SecretCipher.PREFIX).doesNotContain("secret");
    assertThat(row.getString("device_code")).startsWith(SecretCipher.PREFIX).doesNotContain("device-code");
    DeviceLoginStore.Row read = b.find("s1").await().orElseThrow();
    assertThat(read.clientSecret()).isEqualTo("secret");
    assertThat(read.deviceCode()).isEqualTo("device-code");
  }

  @Test
  void aValueMovedToAnotherLoginCannotBeOpenedSoThatLoginCannotBePolled() {
    a.insert(pending("s1", "A", T0 + 60_000, T0 + 1)).await();
    a.insert(pending("s2", "A", T0 + 60_000, T0 + 1)).await();
    Row s1 = raw("s1");
    opened.get(0).preparedQuery("UPDATE device_logins SET client_secret = ?, device_code = ? WHERE auth_id = ?")
        .execute(Tuple.of(s1.getString("client_secret"), s1.getString("device_code"), "s2")).await();

    DeviceLoginStore.Row moved = b.find("s2").await().orElseThrow();
    assertThat(moved.status()).as("its status can still be read").isEqualTo("pending");
    assertThat(moved.clientSecret()).isNull();
    assertThat(moved.deviceCode()).isNull();
    assertThat(b.adopt("B", T0 + 2, T0 + 30_000).await()).extracting(DeviceLoginStore.Row::authId)
        .as("only the login whose secrets open is adopted for polling").containsExactly("s1");
  }

  @Test
  void theKeyBeingRotatedAwayFromStillOpensPendingLogins() {
    DeviceLoginStore old = new EncryptedDeviceLoginStore(unwrapped(), new SecretCipher(OTHER_KEY, ""));
    old.insert(pending("s1", "A", T0 + 60_000, T0 + 30_000)).await();
    DeviceLoginStore rotated = new EncryptedDeviceLoginStore(unwrapped(), new SecretCipher(KEY, OTHER_KEY));
    assertThat(rotated.find("s1").await().orElseThrow().clientSecret()).isEqualTo("secret");
    assertThat(b.find("s1").await().orElseThrow().clientSecret()).as("without the previous key: unreadable").isNull();
  }

  @Test
  void loginsStartedBeforeTheKeyWasSetAreReadAsTheyAre() {
    unwrapped().insert(pending("s1", "A", T0 + 60_000, T0 + 30_000)).await();
    assertThat(raw("s1").getString("client_secret")).isEqualTo("secret");
    assertThat(b.find("s1").await().orElseThrow().deviceCode()).isEqualTo("device-code");
  }

  /** A plain store on the same database. */
  private DeviceLoginStore unwrapped() {
    return SqlDeviceLoginStore.open(opened.get(0)).await();
  }
}
