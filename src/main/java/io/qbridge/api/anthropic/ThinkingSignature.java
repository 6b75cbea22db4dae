package io.qbridge.api.anthropic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The {@code signature} of a thinking block we synthesise from Amazon Q's {@code <thinking>} text.
 * Clients require the field to exist and send it back unchanged; Amazon Q never checks it, so a
 * digest of the text (prefixed so it is recognisable as ours) is enough.
 */
final class ThinkingSignature {

  static final String PREFIX = "qbridge.";

  private ThinkingSignature() {}

  static String of(CharSequence thinking) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(thinking.toString().getBytes(StandardCharsets.UTF_8));
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
