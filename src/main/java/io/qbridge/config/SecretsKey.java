package io.qbridge.config;

import java.util.Base64;

/**
 * The format of SECRETS_KEY and SECRETS_KEY_PREVIOUS: 32 random bytes (an AES-256 key) in base64,
 * standard or URL-safe alphabet, padding optional ({@code openssl rand -base64 32}). One place for
 * the rule, so the config check at start and the cipher that uses the key cannot disagree.
 * Messages describe what is wrong with a value, never the value.
 */
public final class SecretsKey {

  /** AES-256. */
  public static final int BYTES = 32;

  private SecretsKey() {}

  /** The key bytes; throws {@link IllegalArgumentException} saying what is wrong (not the value). */
  public static byte[] decode(String base64) {
    String text = base64 == null ? "" : base64.strip();
    byte[] key;
    try {
      key = (text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not valid base64; expected " + BYTES
          + " random bytes in base64, e.g. the output of 'openssl rand -base64 32'");
    }
    if (key.length != BYTES) {
      throw new IllegalArgumentException("decodes to " + key.length + " bytes; expected exactly " + BYTES
          + " (an AES-256 key), e.g. the output of 'openssl rand -base64 32'");
    }
    return key;
  }

  /** Null when {@code base64} is a valid key, else what is wrong with it. */
  public static String problem(String base64) {
    try {
      decode(base64);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
