package io.qbridge.store;

/**
 * Rewrites JDBC-style {@code ?} parameters to PostgreSQL's {@code $1, $2, ...}, so every statement
 * of the project is written once, with {@code ?}. Question marks inside string literals, quoted
 * identifiers, comments and dollar-quoted bodies are left alone. PostgreSQL's jsonb operators
 * {@code ?}, {@code ?|} and {@code ?&} therefore cannot be used in statements (use
 * {@code jsonb_exists} etc. instead).
 */
final class Placeholders {
  private Placeholders() {}

  static String numbered(String sql) {
    if (sql.indexOf('?') < 0) return sql;
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int n = 0;
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = sql.indexOf(c, i + 1);
        end = end < 0 ? sql.length() : end + 1;
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? sql.length() : end;
        out.append(sql, i, end);
        i = end;
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        end = end < 0 ? sql.length() : end + tag.length();
        out.append(sql, i, end);
        i = end;
      } else if (c == '?') {
        out.append('$').append(++n);
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** {@code $$} or {@code $tag$} starting at {@code i}, else null ({@code $1} is not a tag). */
  private static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) j++;
    return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
  }
}
