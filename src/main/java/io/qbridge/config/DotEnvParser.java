package io.qbridge.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the text of a {@code .env} file. Pure function of its input: no I/O, no environment.
 *
 * <p>Grammar, one entry per line:
 * <ul>
 *   <li>blank lines and lines whose first non-blank character is {@code #} are ignored;</li>
 *   <li>{@code [export ]KEY = VALUE} &mdash; optional {@code export } prefix, whitespace around
 *       {@code =} is tolerated; KEY starts with a letter or {@code _} and continues with letters,
 *       digits, {@code _}, {@code .} or {@code -};</li>
 *   <li>unquoted VALUE: trimmed; a {@code #} preceded by whitespace starts a comment
 *       ({@code A=b#c} keeps {@code b#c});</li>
 *   <li>{@code 'single quoted'}: literal, no escapes;</li>
 *   <li>{@code "double quoted"}: escapes {@code \n \r \t \" \\}; any other backslash is kept
 *       as-is;</li>
 *   <li>after a closing quote only whitespace and an optional {@code #} comment may follow.</li>
 * </ul>
 * Quoted values end on the same line (no multi-line values) and {@code ${VAR}} is not expanded.
 * A key given twice keeps the last value, as a shell would. A UTF-8 byte-order mark and CRLF line
 * endings are accepted.
 *
 * <p>Malformed lines do not stop parsing: each becomes a problem {@code "<file>:<line>: ..."} and
 * the remaining lines are still read. Problem messages never quote the value, which may be secret.
 */
final class DotEnvParser {

  /** One parsed assignment and the 1-based line it came from. */
  record Entry(String value, int line) {}

  /** Entries in file order (last assignment of a key wins) and the malformed lines. */
  record Result(Map<String, Entry> entries, List<String> problems) {}

  private DotEnvParser() {}

  static Result parse(String content, String fileName) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      try {
        Assignment a = parseLine(line);
        if (a != null) {
          entries.remove(a.key); // keep file order of the last assignment
          entries.put(a.key, new Entry(a.value, i + 1));
        }
      } catch (LineException e) {
        problems.add(fileName + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    return new Result(entries, problems);
  }

  private record Assignment(String key, String value) {}

  /** Returns null for blank and comment lines. */
  private static Assignment parseLine(String line) {
    int p = skipBlanks(line, 0);
    if (p == line.length() || line.charAt(p) == '#') {
      return null;
    }
    if (line.startsWith("export", p) && p + 6 < line.length() && isBlank(line.charAt(p + 6))) {
      p = skipBlanks(line, p + 6);
    }
    int keyStart = p;
    if (p < line.length() && isKeyStart(line.charAt(p))) {
      p++;
      while (p < line.length() && isKeyPart(line.charAt(p))) {
        p++;
      }
    }
    String key = line.substring(keyStart, p);
    if (key.isEmpty()) {
      throw new LineException("expected KEY=VALUE (a key starts with a letter or '_')");
    }
    p = skipBlanks(line, p);
    if (p == line.length() || line.charAt(p) != '=') {
      throw new LineException("expected '=' after " + key);
    }
    p = skipBlanks(line, p + 1);
    return new Assignment(key, parseValue(line, p, key));
  }

  private static String parseValue(String line, int start, String key) {
    if (start == line.length()) {
      return "";
    }
    char first = line.charAt(start);
    if (first == '"' || first == '\'') {
      StringBuilder value = new StringBuilder();
      int end = first == '"' ? readDoubleQuoted(line, start + 1, value) : readSingleQuoted(line, start + 1, value);
      if (end < 0) {
        throw new LineException("unterminated " + (first == '"' ? "double" : "single")
            + "-quoted value of " + key + " (quoted values must end on the same line)");
      }
      int rest = skipBlanks(line, end + 1);
      if (rest < line.length() && line.charAt(rest) != '#') {
        throw new LineException("unexpected text after the closing quote of " + key);
      }
      return value.toString();
    }
    int end = line.length();
    for (int i = start; i < line.length(); i++) {
      if (line.charAt(i) == '#' && i > 0 && isBlank(line.charAt(i - 1))) {
        end = i;
        break;
      }
    }
    return line.substring(start, end).strip();
  }

  /** Appends the unescaped content to {@code out}; returns the index of the closing quote or -1. */
  private static int readDoubleQuoted(String line, int from, StringBuilder out) {
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c == '\\' && i + 1 < line.length()) {
        char next = line.charAt(++i);
        switch (next) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case '"' -> out.append('"');
          case '\\' -> out.append('\\');
          default -> out.append('\\').append(next);
        }
      } else {
        out.append(c);
      }
    }
    return -1;
  }

  private static int readSingleQuoted(String line, int from, StringBuilder out) {
    int end = line.indexOf('\'', from);
    if (end >= 0) {
      out.append(line, from, end);
    }
    return end;
  }

  private static int skipBlanks(String s, int from) {
    int i = from;
    while (i < s.length() && isBlank(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isKeyStart(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  }

  private static boolean isKeyPart(char c) {
    return isKeyStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  /** Control flow for one malformed line; never escapes this class. */
  private static final class LineException extends RuntimeException {
    LineException(String message) {
      super(message, null, false, false);
    }
  }
}
