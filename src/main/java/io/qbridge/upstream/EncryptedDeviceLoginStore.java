package io.qbridge.upstream;

import io.qbridge.secrets.SecretCipher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeviceLoginStore} that keeps a pending login's OIDC client secret and device code
 * encrypted with SECRETS_KEY ({@link SecretCipher}, bound to the login's id and the column), like
 * the accounts' secrets: with the key set, no secret of a login in progress sits in the database
 * in plain text. Whoever holds both could finish the login in the user's place while it is pending.
 *
 * <p>A value neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS opens (the key changed while a login was
 * pending) reads as absent, with a warning: that login cannot be polled any more and expires; its
 * status can still be read. Values written before the key was set are read as they are.
 */
final class EncryptedDeviceLoginStore implements DeviceLoginStore {

  private static final Logger LOG = LoggerFactory.getLogger(EncryptedDeviceLoginStore.class);
  static final String CLIENT_SECRET = "device_logins.client_secret";
  static final String DEVICE_CODE = "device_logins.device_code";

  private final DeviceLoginStore delegate;
  private final SecretCipher cipher;

  EncryptedDeviceLoginStore(DeviceLoginStore delegate, SecretCipher cipher) {
    this.delegate = delegate;
    this.cipher = cipher;
  }

  @Override
  public Future<Void> insert(Row row) {
    return delegate.insert(row.withSecrets(seal(row.clientSecret(), row.authId(), CLIENT_SECRET),
        seal(row.deviceCode(), row.authId(), DEVICE_CODE)));
  }

  @Override
  public Future<Optional<Row>> find(String authId) {
    return delegate.find(authId).map(found -> found.map(row -> {
      Row opened = opened(row);
      return opened != null ? opened : row.withSecrets(null, null);
    }));
  }

  @Override
  public Future<List<Row>> adopt(String poller, long nowMs, long untilMs) {
    return delegate.adopt(poller, nowMs, untilMs).map(rows -> {
      List<Row> readable = new ArrayList<>(rows.size());
      for (Row row : rows) {
        Row opened = opened(row);
        if (opened != null) readable.add(opened);
      }
      return readable;
    });
  }

  @Override public Future<Integer> countPending(long nowMs) { return delegate.countPending(nowMs); }

  @Override
  public Future<Boolean> settle(String authId, String poller, String status, String error, JsonObject account, long nowMs) {
    return delegate.settle(authId, poller, status, error, account, nowMs);
  }

  @Override public Future<Void> renew(String poller, long untilMs) { return delegate.renew(poller, untilMs); }

  @Override public Future<Void> abandon(String poller) { return delegate.abandon(poller); }

  @Override public Future<Void> deleteFinishedBefore(long cutoffMs) { return delegate.deleteFinishedBefore(cutoffMs); }

  private String seal(String value, String authId, String column) {
    return value == null ? null : cipher.encrypt(value, authId, column);
  }

  /** The row with its secrets in plain text; null when one cannot be opened (logged). */
  private Row opened(Row row) {
    try {
      return row.withSecrets(open(row.clientSecret(), row.authId(), CLIENT_SECRET),
          open(row.deviceCode(), row.authId(), DEVICE_CODE));
    } catch (SecretCipher.UndecryptableException e) {
      LOG.warn("device login {}: its stored secrets cannot be read ({}); it cannot be polled and will expire",
          row.authId(), e.getMessage());
      return null;
    }
  }

  private String open(String stored, String authId, String column) throws SecretCipher.UndecryptableException {
    return SecretCipher.isEncrypted(stored) ? cipher.decrypt(stored, authId, column).plaintext() : stored;
  }

}
