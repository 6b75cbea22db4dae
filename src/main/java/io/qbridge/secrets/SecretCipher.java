package io.qbridge.secrets;

import io.qbridge.config.SecretsKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one stored secret value (an account's clientSecret, refreshToken and accessToken;
 * a pending device login's client secret and device code).
 *
 * <p>Stored form: {@code enc:v1:} + base64(nonce (12 bytes) | ciphertext | tag (16 bytes)). The
 * prefix says "encrypted, format 1", so a reader never mistakes ciphertext for a token nor a token
 * for ciphertext (no plaintext token starts with it), and a later format can coexist. Every value
 * gets a fresh random 96-bit nonce (a key would need about 2^32 encryptions before a repeated nonce
 * became a real risk; an account store sees a few per refresh). The additional authenticated data
 * is the account id and the column name, so a value copied to another row, or from the refresh
 * token column to the access token column, fails to decrypt instead of being used.
 *
 * <p>Decryption tries the current key, then the previous one (SECRETS_KEY_PREVIOUS) if given, and
 * says which one worked, so values written with the previous key can be re-encrypted. Thread-safe
 * (a {@link Cipher} per call; {@link SecureRandom} is thread-safe). Build it off the event loop
 * (its constructor warms the JCE up).
 */
public final class SecretCipher {

  /** Marks an encrypted value; {@code v1} = AES-256-GCM, 96-bit nonce, 128-bit tag, AAD = id and column. */
  public static final String PREFIX = "enc:v1:";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** Which key opened a value. */
  public enum KeyUsed { CURRENT, PREVIOUS }

  /** A decrypted value and the key that opened it. */
  public record Opened(String plaintext, KeyUsed key) {}

  /** A stored value that neither key opens (wrong key, tampered or moved value, truncated text). */
  public static final class UndecryptableException extends Exception {
    UndecryptableException(String message) {
      super(message, null, false, false);
    }
  }

  private final SecretKeySpec current;
  private final SecretKeySpec previous;
  private final SecureRandom random = new SecureRandom();

  /** @param previousOrEmpty the base64 previous key, or empty/null for none */
  public SecretCipher(String currentBase64, String previousOrEmpty) {
    this.current = new SecretKeySpec(SecretsKey.decode(currentBase64), "AES");
    this.previous = previousOrEmpty == null || previousOrEmpty.isEmpty() ? null
        : new SecretKeySpec(SecretsKey.decode(previousOrEmpty), "AES");
    selfTest();
  }

  /**
   * One round trip: proves the cipher works here and pays the first-use cost (JCE provider lookup,
   * the random generator's seeding, hundreds of ms on a loaded machine) where the cipher is built,
   * off any event loop, instead of in the first store call.
   */
  private void selfTest() {
    try {
      if (!"ok".equals(decrypt(encrypt("ok", "self-test", "none"), "self-test", "none").plaintext())) {
        throw new IllegalStateException("AES-GCM round trip changed the value");
      }
    } catch (UndecryptableException e) {
      throw new IllegalStateException("AES-GCM round trip failed: " + e.getMessage());
    }
  }

  public static boolean isEncrypted(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** The stored form of {@code plaintext} for column {@code column} of account {@code accountId}. */
  public String encrypt(String plaintext, String accountId, String column) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(accountId, column));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is always available", e);
    }
  }

  /** Opens a value made by {@link #encrypt} (with this key or the previous one). */
  public Opened decrypt(String stored, String accountId, String column) throws UndecryptableException {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new UndecryptableException("not valid base64 after " + PREFIX);
    }
    if (raw.length < NONCE_BYTES + TAG_BITS / 8) throw new UndecryptableException("too short to be " + PREFIX + " data");
    String plain = open(current, raw, accountId, column);
    if (plain != null) return new Opened(plain, KeyUsed.CURRENT);
    plain = previous == null ? null : open(previous, raw, accountId, column);
    if (plain != null) return new Opened(plain, KeyUsed.PREVIOUS);
    throw new UndecryptableException(previous == null ? "SECRETS_KEY does not decrypt it"
        : "neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS decrypts it");
  }

  /** Null when the tag does not verify (another key, another row or column, tampered). */
  private static String open(SecretKeySpec key, byte[] raw, String accountId, String column) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
      cipher.updateAAD(aad(accountId, column));
      return new String(cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is always available", e);
    }
  }

  /** {@code <accountId> NUL <column>}: binds a value to its row and column. */
  private static byte[] aad(String accountId, String column) {
    return (accountId + '\0' + column).getBytes(StandardCharsets.UTF_8);
  }
}
