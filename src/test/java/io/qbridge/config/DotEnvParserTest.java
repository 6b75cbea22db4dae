package io.qbridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DotEnvParserTest {

  private static Map<String, String> values(DotEnvParser.Result r) {
    return r.entries().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().value()));
  }

  private static DotEnvParser.Result parse(String text) {
    return DotEnvParser.parse(text, ".env");
  }

  @Test
  void plainAssignmentsCommentsBlankLinesAndExport() {
    DotEnvParser.Result r = parse("""
        # a comment line
           # indented comment

        PORT=9000
        export ADMIN_KEY=s3cret
        export\tHOST = 127.0.0.1\s\s
        TEMPLATES_DIR   =   my templates   # trailing comment
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "PORT", "9000",
        "ADMIN_KEY", "s3cret",
        "HOST", "127.0.0.1",
        "TEMPLATES_DIR", "my templates"));
    assertThat(r.entries().get("HOST").line()).isEqualTo(6);
  }

  @Test
  void hashWithoutPrecedingWhitespaceIsPartOfTheValue() {
    DotEnvParser.Result r = parse("A=abc#def\nB= #only a comment\nC=#start\nD=x\t# tab comment\n");
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "A", "abc#def", "B", "", "C", "#start", "D", "x"));
  }

  @Test
  void emptyValues() {
    DotEnvParser.Result r = parse("A=\nB=\"\"\nC=''\nD=   \n");
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of("A", "", "B", "", "C", "", "D", ""));
  }

  @Test
  void doubleQuotesHandleEscapesAndKeepHashAndSpaces() {
    DotEnvParser.Result r = parse("""
        A="line1\\nline2"
        B="say \\"hi\\""
        C="back\\\\slash"
        D="  spaced # not a comment  "   # real comment
        E="tab\\there\\r"
        F="C:\\path\\other"
        G="no space after quote"# comment
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "A", "line1\nline2",
        "B", "say \"hi\"",
        "C", "back\\slash",
        "D", "  spaced # not a comment  ",
        "E", "tab\there\r",
        "F", "C:\\path\\other", // unknown escapes keep their backslash
        "G", "no space after quote"));
  }

  @Test
  void singleQuotesAreLiteral() {
    DotEnvParser.Result r = parse("""
        A='raw \\n "dq" # kept'
        B='x' # comment
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "A", "raw \\n \"dq\" # kept",
        "B", "x"));
  }

  @Test
  void unquotedValueKeepsInnerQuotesAndEquals() {
    DotEnvParser.Result r = parse("URL=jdbc:postgresql://db/q?user=a&password=b=c\nQ=it's\n");
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "URL", "jdbc:postgresql://db/q?user=a&password=b=c", "Q", "it's"));
  }

  @Test
  void crlfBomAndLastAssignmentWins() {
    DotEnvParser.Result r = parse("\uFEFFPORT=1\r\nPORT=2\r\nHOST=h\r\n");
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of("PORT", "2", "HOST", "h"));
    assertThat(r.entries().get("PORT").line()).isEqualTo(2);
  }

  @Test
  void keyNamedExportAndForeignKeyShapes() {
    DotEnvParser.Result r = parse("export=1\nspring.datasource-url=x\n_UNDERSCORE=y\n");
    assertThat(r.problems()).isEmpty();
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "export", "1", "spring.datasource-url", "x", "_UNDERSCORE", "y"));
  }

  @Test
  void everyMalformedLineIsReportedWithFileAndLineAndWithoutItsValue() {
    DotEnvParser.Result r = DotEnvParser.parse("""
        GOOD=1
        just some words
        ADMIN_KEY "hunter2"
        =nokey
        1BAD=x
        QUOTED="unterminated hunter2
        SINGLE='unterminated
        TRAIL="ok" hunter2
        export ONLYKEY
        ALSO_GOOD=2
        """, "/srv/.env");
    assertThat(values(r)).containsExactlyInAnyOrderEntriesOf(Map.of("GOOD", "1", "ALSO_GOOD", "2"));
    assertThat(r.problems()).hasSize(8);
    assertThat(r.problems().get(0)).startsWith("/srv/.env:2: ");
    assertThat(r.problems().get(1)).isEqualTo("/srv/.env:3: expected '=' after ADMIN_KEY");
    assertThat(r.problems().get(2)).startsWith("/srv/.env:4: expected KEY=VALUE");
    assertThat(r.problems().get(3)).startsWith("/srv/.env:5: expected KEY=VALUE");
    assertThat(r.problems().get(4)).startsWith("/srv/.env:6: unterminated double-quoted value of QUOTED");
    assertThat(r.problems().get(5)).startsWith("/srv/.env:7: unterminated single-quoted value of SINGLE");
    assertThat(r.problems().get(6)).isEqualTo("/srv/.env:8: unexpected text after the closing quote of TRAIL");
    assertThat(r.problems().get(7)).isEqualTo("/srv/.env:9: expected '=' after ONLYKEY");
    assertThat(r.problems()).noneMatch(p -> p.contains("hunter2"));
  }
}
