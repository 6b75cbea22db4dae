package io.qbridge.console;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Debian Chromium driven by the Debian chromium-driver, for a whole test class (a
 * browser start costs about a second). Skips the class (assumption) when either is not installed.
 * Controls are found the way a screen reader user finds them: by their label or button text.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(10);

  final ChromeDriver driver;
  final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** @param language browser UI language (Accept-Language and navigator.languages), e.g. "en-US" or "zh-CN" */
  static Browser start(String language, int width, int height) throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    Path profile = Files.createTempDirectory("qbridge-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--lang=" + language,
        "--window-size=" + width + "," + height);
    options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(width, height));
    return new Browser(driver, profile);
  }

  /**
   * The input, select or textarea whose label reads {@code name} (visible ones only); a missing one
   * is a {@link NoSuchElementException}, which {@link #waitFor} keeps waiting through.
   */
  WebElement field(String name) {
    return visible(By.xpath("//label[normalize-space(.)=" + literal(name) + "]")).stream()
        .map(label -> driver.findElement(By.id(label.getAttribute("for"))))
        .filter(WebElement::isDisplayed).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no visible field labelled '" + name + "'"));
  }

  /** The visible button whose text is {@code name}, inside {@code scope} when given. */
  WebElement button(String name) {
    return button(null, name);
  }

  WebElement button(WebElement scope, String name) {
    By by = By.xpath(".//button[normalize-space(.)=" + literal(name) + "]");
    List<WebElement> found = scope == null ? driver.findElements(By.xpath("//button[normalize-space(.)=" + literal(name) + "]"))
        : scope.findElements(by);
    return found.stream().filter(WebElement::isDisplayed).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no visible button '" + name + "'"));
  }

  boolean hasButton(String name) {
    return driver.findElements(By.xpath("//button[normalize-space(.)=" + literal(name) + "]")).stream()
        .anyMatch(WebElement::isDisplayed);
  }

  private List<WebElement> visible(By by) {
    return driver.findElements(by).stream().filter(WebElement::isDisplayed).toList();
  }

  WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  /** The accounts table row showing {@code label}, or null. */
  WebElement row(String label) {
    for (WebElement tr : driver.findElements(By.cssSelector("#accounts-body tr"))) {
      if (tr.findElement(By.cssSelector("td[data-key=label] span")).getText().equals(label)) return tr;
    }
    return null;
  }

  String cell(WebElement row, String key) {
    return row.findElement(By.cssSelector("td[data-key=" + key + "]")).getText();
  }

  <T> T waitFor(Function<WebDriver, T> condition) {
    // live updates re-render cells: an element may go stale between finding and reading it
    return new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** SEVERE console entries since the last call, minus those matching any of {@code expected}. */
  List<String> consoleErrors(String... expected) {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() < Level.SEVERE.intValue()) continue;
      boolean known = false;
      for (String s : expected) known |= e.getMessage().contains(s);
      if (!known) errors.add(e.getMessage());
    }
    return errors;
  }

  /** Every URL this page loaded or fetched that is not on {@code origin}. */
  @SuppressWarnings("unchecked")
  List<String> foreignRequests(String origin) {
    List<String> urls = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)"
        + ".concat([location.href])");
    return urls.stream().filter(u -> !u.startsWith(origin + "/") && !u.startsWith("data:")).toList();
  }

  void screenshot(String name) {
    try {
      Path dir = Path.of("target", "screenshots");
      Files.createDirectories(dir);
      Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      System.err.println("screenshot saved: " + file.toAbsolutePath());
    } catch (Exception e) {
      System.err.println("could not save a screenshot: " + e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteRecursively(profile);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  private static String literal(String s) {
    if (!s.contains("'")) return "'" + s + "'";
    return "concat('" + s.replace("'", "', \"'\", '") + "')";
  }

  /** Saves a screenshot under target/screenshots when a test fails. */
  static TestWatcher screenshotsOnFailure(java.util.function.Supplier<Browser> browser) {
    return new TestWatcher() {
      @Override
      public void testFailed(ExtensionContext context, Throwable cause) {
        Browser b = browser.get();
        if (b != null) b.screenshot(context.getRequiredTestClass().getSimpleName() + "-" + context.getDisplayName());
      }
    };
  }
}
