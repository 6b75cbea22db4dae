package io.qbridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The console's files keep to what the Content-Security-Policy allows and the issue asks: no inline
 * script, event-handler attribute or inline style, nothing fetched from another site (the network
 * may be closed), and no browser storage of the admin key. Runs without a browser.
 */
class WebrootTest {

  private static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(Path.of("webroot"))) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void noInlineScriptsHandlersOrStylesAndNoOtherOrigins() throws IOException {
    assertThat(files()).extracting(p -> p.getFileName().toString()).contains("index.html", "app.js", "style.css");
    for (Path file : files()) {
      String text = Files.readString(file);
      String name = file.toString();
      if (name.endsWith(".html")) {
        assertThat(text).as(name).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        assertThat(text).as(name).doesNotContainPattern("\\son[a-z]+\\s*=");
        assertThat(text).as(name).doesNotContainPattern("\\sstyle\\s*=");
        assertThat(text).as(name).doesNotContain("<style");
      }
      if (!name.endsWith(".svg")) {
        assertThat(text).as(name).doesNotContainPattern("(src|href)\\s*=\\s*[\"']?(https?:)?//");
        assertThat(text).as(name).doesNotContainPattern("(import|fetch)\\s*\\(?\\s*[\"'`](https?:)?//");
        assertThat(text).as(name).doesNotContainPattern("@import|url\\([\"']?(https?:)?//");
      }
      if (name.endsWith(".js")) {
        assertThat(text).as(name).doesNotContain("eval(").doesNotContain("new Function").doesNotContain("innerHTML");
        // the admin key goes to POST /v2/session and nowhere else: the page stores only these two things
        assertThat(text.lines().filter(l -> l.contains("setItem(") || l.contains("document.cookie")).map(String::strip))
            .as(name).allMatch(l -> l.equals("localStorage.setItem(STORAGE_KEY, lang);")
                || l.equals("sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.login));"));
      }
    }
  }
}
