package io.qbridge.config;

import java.util.regex.Pattern;

/**
 * Masks credentials in URLs before they reach a log line or an error message: the user-info part
 * of an authority ({@code http://user:pass@host} becomes {@code http://***@host}) and secret query
 * or driver properties ({@code ?password=x}, {@code ;password=x}). Works on strings that are not
 * valid URIs too (e.g. {@code user:pass@proxy:3128} without a scheme), because that is exactly when
 * an error message echoes them.
 */
final class Redaction {

  static final String MASK = "***";

  private static final Pattern SECRET_PARAM = Pattern.compile(
      "(?i)([?&;](?:password|passwd|pwd|sslpassword|secret|token|access_?key|secret_?key)=)[^&;#]*");

  private Redaction() {}

  static String maskUrl(String url) {
    if (url == null || url.isEmpty()) {
      return url;
    }
    String s = url;
    int scheme = s.indexOf("://");
    int authorityStart = scheme < 0 ? 0 : scheme + 3;
    int authorityEnd = s.length();
    for (int i = authorityStart; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        authorityEnd = i;
        break;
      }
    }
    int at = s.lastIndexOf('@', authorityEnd - 1);
    if (at >= authorityStart) {
      s = s.substring(0, authorityStart) + MASK + s.substring(at);
    }
    return SECRET_PARAM.matcher(s).replaceAll("$1" + MASK);
  }
}
