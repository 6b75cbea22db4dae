package io.qbridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real headless Chromium against qbridge (ADMIN_KEY set) and the emulator: sign-in,
 * account management, device login, streamed chat on both APIs, Stop, sign-out. One browser and
 * one gateway for the class; every test ends by checking that the page logged no errors and
 * talked to no other origin.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  static final String KEY = "console-admin-key-4242";

  static Path dir;
  static TestGateway gw;
  static Browser browser;
  /** Console messages a test expects (e.g. the 401 of a refused sign-in). */
  String[] expectedConsoleErrors = {};

  @RegisterExtension
  static final org.junit.jupiter.api.extension.TestWatcher SCREENSHOTS = Browser.screenshotsOnFailure(() -> browser);

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    browser = Browser.start("en-US", 1280, 900);
    dir = Files.createTempDirectory("qbridge-console-");
    gw = TestGateway.start(vertx, dir, Map.of("ADMIN_KEY", KEY));
    gw.emulator.oidc().setDeviceIntervalSeconds(1);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
  }

  @BeforeEach
  void openConsole() {
    deleteAllAccounts();
    browser.driver.get(gw.baseUrl() + "/");
  }

  @AfterEach
  void noErrorsAndNoForeignRequests() {
    assertThat(browser.consoleErrors(expectedConsoleErrors)).as("console errors").isEmpty();
    assertThat(browser.foreignRequests(gw.baseUrl())).as("requests to other origins").isEmpty();
  }

  private void signIn() {
    // the page asks the server whether it is signed in; wait for its answer either way
    browser.waitFor(d -> browser.hasButton("Sign out") || browser.byId("sign-in-view").isDisplayed());
    if (browser.hasButton("Sign out")) return;
    browser.field("Admin key").sendKeys(KEY);
    browser.button("Sign in").click();
    browser.waitFor(d -> browser.hasButton("Sign out"));
  }

  private Credentials addAccountByKey(String label) {
    Credentials c = gw.emulator.oidc().newAccount();
    JsonObject body = new JsonObject().put("label", label).put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken());
    TestGateway.Response r = gw.send(HttpMethod.POST, "/v2/accounts", body.toBuffer(),
        "x-admin-key", KEY, "content-type", "application/json");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    return c;
  }

  private void deleteAllAccounts() {
    for (Object o : new io.vertx.core.json.JsonArray(gw.send(HttpMethod.GET, "/v2/accounts", null, "x-admin-key", KEY).body())) {
      gw.send(HttpMethod.DELETE, "/v2/accounts/" + ((JsonObject) o).getString("id"), null, "x-admin-key", KEY);
    }
  }

  @Test
  @Order(1)
  void wrongKeyIsRefusedRightKeySignsInAndAReloadStaysSignedIn() {
    expectedConsoleErrors = new String[] {"/v2/session - Failed to load resource: the server responded with a status of 401"};
    browser.waitFor(d -> browser.field("Admin key").isDisplayed());
    browser.field("Admin key").sendKeys("not-the-key");
    browser.button("Sign in").click();
    browser.waitFor(d -> browser.byId("sign-in-error").getText().contains("Invalid admin key"));
    assertThat(browser.hasButton("Sign out")).isFalse();
    assertThat(browser.field("Admin key").getAttribute("value")).isEmpty();

    signIn();
    Cookie cookie = browser.driver.manage().getCookieNamed("qbridge_session");
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getValue()).doesNotContain(KEY);
    // the key is nowhere in the page's storage
    assertThat(String.valueOf(browser.js("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")))
        .doesNotContain(KEY);

    browser.driver.navigate().refresh();
    browser.waitFor(d -> browser.hasButton("Sign out"));
    assertThat(browser.byId("sign-in-view").isDisplayed()).isFalse();
  }

  @Test
  @Order(2)
  void addEditDisableEnableRefreshAndDeleteAnAccount() {
    signIn();
    Credentials c = gw.emulator.oidc().newAccount();
    browser.button("Add account").click();
    browser.field("Label").sendKeys("browser-account");
    browser.field("Client ID").sendKeys(c.clientId());
    browser.field("Client secret").sendKeys(c.clientSecret());
    browser.field("Refresh token").sendKeys(c.refreshToken());
    browser.button("Save").click();
    WebElement row = browser.waitFor(d -> browser.row("browser-account"));
    assertThat(browser.cell(row, "state")).isEqualTo("active");
    assertThat(browser.cell(row, "inFlight")).isEqualTo("0");
    assertThat(browser.driver.getPageSource()).doesNotContain(c.clientSecret()).doesNotContain(c.refreshToken());

    browser.button(row, "Edit").click();
    assertThat(browser.field("Label").getAttribute("value")).isEqualTo("browser-account");
    browser.field("Label").clear();
    browser.field("Label").sendKeys("renamed-account");
    browser.button("Save").click();
    row = browser.waitFor(d -> browser.row("renamed-account"));

    browser.button(row, "Disable").click();
    browser.waitFor(d -> browser.cell(browser.row("renamed-account"), "state").startsWith("disabled"));
    browser.button(browser.row("renamed-account"), "Enable").click();
    browser.waitFor(d -> browser.cell(browser.row("renamed-account"), "state").equals("active"));

    int refreshes = gw.emulator.oidc().refreshCountForClient(c.clientId());
    browser.button(browser.row("renamed-account"), "Refresh").click();
    browser.waitFor(d -> gw.emulator.oidc().refreshCountForClient(c.clientId()) > refreshes);
    browser.waitFor(d -> browser.cell(browser.row("renamed-account"), "lastRefresh").startsWith("success"));
    assertThat(browser.cell(browser.row("renamed-account"), "tokenExpiry")).isNotEqualTo("unknown");

    browser.button(browser.row("renamed-account"), "Delete").click();
    assertThat(browser.row("renamed-account")).as("deleting needs a confirmation").isNotNull();
    browser.button(browser.row("renamed-account"), "Confirm delete").click();
    browser.waitFor(d -> browser.row("renamed-account") == null);
    assertThat(new io.vertx.core.json.JsonArray(gw.send(HttpMethod.GET, "/v2/accounts", null, "x-admin-key", KEY).body()))
        .isEmpty();
  }

  @Test
  @Order(3)
  void liveUpdatesShowAccountsAddedElsewhere() {
    signIn();
    addAccountByKey("added-by-script");
    browser.waitFor(d -> browser.row("added-by-script"));
    browser.waitFor(d -> browser.byId("pool-summary").getText().contains("healthy 1"));
    deleteAllAccounts();
    browser.waitFor(d -> browser.row("added-by-script") == null);
  }

  @Test
  @Order(4)
  void deviceLoginToCompletionSurvivingAReload() {
    signIn();
    browser.button("Device login").click();
    browser.field("Label").sendKeys("device-account");
    browser.button("Start login").click();
    browser.waitFor(d -> !browser.byId("device-code").getText().isEmpty());
    String code = browser.byId("device-code").getText();
    assertThat(code).isEqualTo(gw.emulator.oidc().latestUserCode());
    WebElement link = browser.byId("device-link");
    assertThat(link.getAttribute("href")).endsWith("user_code=" + code);
    assertThat(link.getAttribute("target")).isEqualTo("_blank");
    assertThat(browser.byId("device-status").getText()).isEqualTo("waiting for approval…");
    assertThat(browser.byId("device-countdown").getText()).matches("(10:00|9:\\d\\d)");

    browser.driver.navigate().refresh();
    browser.waitFor(d -> browser.byId("device-code").getText().equals(code));
    assertThat(browser.byId("device-panel").isDisplayed()).isTrue();

    gw.emulator.oidc().approve(code);
    browser.waitFor(d -> browser.byId("device-status").getText().equals("approved: account added"));
    WebElement row = browser.waitFor(d -> browser.row("device-account"));
    assertThat(browser.cell(row, "state")).isEqualTo("active");
    browser.driver.navigate().refresh();
    browser.waitFor(d -> browser.row("device-account"));
    assertThat(browser.byId("device-panel").isDisplayed()).as("a finished login is not resumed").isFalse();
    deleteAllAccounts();
  }

  private void chat(String api, String message) {
    new Select(browser.field("API")).selectByVisibleText(api);
    browser.field("Message").sendKeys(message);
    browser.button("Send").click();
  }

  private String answerText() {
    var parts = browser.driver.findElements(By.cssSelector("#chat-log .msg.assistant:last-child [data-part=text]"));
    return parts.isEmpty() ? "" : parts.get(0).getText();
  }

  @Test
  @Order(5)
  void chatStreamsOnBothApisWithThinkingApartAndRemembersTheConversation() {
    signIn();
    addAccountByKey("chat-account");
    browser.waitFor(d -> new Select(browser.field("Model")).getOptions().size() > 1);
    for (String api : new String[] {"Claude", "OpenAI"}) {
      browser.button("New chat").click();
      gw.emulator.enqueue(Scenario.builder().text("<thinking>Let me think.</thinking>", "First half.")
          .eventDelayMs(800).text(" Second half.").build());
      browser.field("Thinking").click();
      chat(api, "Hello " + api);
      // text shows while the stream is still open
      browser.waitFor(d -> answerText().contains("First half."));
      assertThat(answerText()).doesNotContain("Second half");
      assertThat(browser.button("Stop").isEnabled()).isTrue();
      browser.waitFor(d -> answerText().endsWith("Second half."));
      browser.waitFor(d -> browser.button("Send").isEnabled());
      String thinking = browser.driver.findElement(By.cssSelector("#chat-log .msg.assistant:last-child [data-part=thinking]")).getText();
      assertThat(thinking).contains("Let me think.");
      assertThat(answerText()).doesNotContain("Let me think");
      assertThat(browser.byId("chat-stats").getText()).matches("TTFT \\d+ ms · duration \\d+ ms · tokens in \\d+ / out \\d+");
      browser.field("Thinking").click();

      // second turn: the first answer goes back as history; a tool call shows apart from the text
      gw.emulator.enqueue(Scenario.builder().text("Turn two.")
          .toolUse("tool-1", "get_weather", "{\"city\":", "\"Paris\"}").build());
      chat(api, "And again");
      browser.waitFor(d -> browser.button("Send").isEnabled() && answerText().equals("Turn two."));
      String tool = browser.driver.findElement(By.cssSelector("#chat-log .msg.assistant:last-child [data-part=tool]")).getText();
      assertThat(tool).contains("tool call: get_weather").contains("{\"city\":\"Paris\"}");
      String sent = gw.emulator.chatRequests().get(gw.emulator.chatRequests().size() - 1).rawBody();
      assertThat(sent).contains("Hello " + api).contains("Second half.").contains("And again");
    }
    deleteAllAccounts();
  }

  @Test
  @Order(6)
  void stopCancelsTheUpstreamRequest() throws Exception {
    signIn();
    addAccountByKey("stop-account");
    browser.waitFor(d -> new Select(browser.field("Model")).getOptions().size() > 1);
    browser.button("New chat").click();
    String[] more = new String[400];
    java.util.Arrays.fill(more, " more");
    gw.emulator.enqueue(Scenario.builder().text("Begin.").eventDelayMs(100).text(more).build());
    var closed = gw.emulator.nextStreamClosedByPeer();
    chat("Claude", "Talk for a long time");
    browser.waitFor(d -> answerText().startsWith("Begin."));
    browser.button("Stop").click();
    closed.await(10, TimeUnit.SECONDS);
    browser.waitFor(d -> browser.button("Send").isEnabled());
    assertThat(browser.driver.findElement(By.cssSelector("#chat-log .msg.assistant:last-child [data-part=note]")).getText())
        .isEqualTo("(stopped)");
    assertThat(gw.awaitNoActiveLeases()).isZero();
    deleteAllAccounts();
  }

  /** The audit table's row whose text contains every part, or null. */
  private static WebElement auditRow(String... parts) {
    for (WebElement tr : browser.driver.findElements(org.openqa.selenium.By.cssSelector("#audit-body tr"))) {
      String text = tr.getText();
      if (java.util.Arrays.stream(parts).allMatch(text::contains)) return tr;
    }
    return null;
  }

  @Test
  @Order(7)
  void theAuditLogShowsAnEditMadeInTheConsoleWithoutItsSecret() {
    signIn();
    Credentials c = addAccountByKey("audited");
    browser.button(browser.waitFor(d -> browser.row("audited")), "Edit").click();
    browser.field("Label").clear();
    browser.field("Label").sendKeys("audited-renamed");
    browser.field("Client secret").sendKeys("cs-TYPED-IN-THE-CONSOLE");
    browser.button("Save").click();
    browser.waitFor(d -> browser.row("audited-renamed"));

    // the edit appears without a reload: who (this console session), what (label's new value, the secret by name)
    WebElement edit = browser.waitFor(d -> auditRow("account edited", "audited-renamed"));
    assertThat(edit.getText()).contains("label: audited-renamed").contains("clientSecret: hidden")
        .contains("console session ").contains("done (200)").contains("127.0.0.1");
    assertThat(auditRow("account added", "admin key (script)")).isNotNull();
    assertThat(browser.byId("audit-title").getText()).isEqualTo("Audit log");
    String page = browser.driver.getPageSource();
    for (String secret : new String[] {"cs-TYPED-IN-THE-CONSOLE", c.clientSecret(), c.refreshToken(), c.accessToken()}) {
      assertThat(page).doesNotContain(secret);
    }
    browser.button("Reload log").click();
    browser.waitFor(d -> auditRow("account edited", "audited-renamed"));
    deleteAllAccounts();
  }

  @Test
  @Order(8)
  void signOutEndsTheSessionOnTheServer() {
    signIn();
    String cookie = browser.driver.manage().getCookieNamed("qbridge_session").getValue();
    assertThat(gw.send(HttpMethod.GET, "/v2/accounts", null, "cookie", "qbridge_session=" + cookie).status()).isEqualTo(200);
    browser.button("Sign out").click();
    browser.waitFor(d -> browser.field("Admin key").isDisplayed());
    assertThat(gw.send(HttpMethod.GET, "/v2/accounts", null, "cookie", "qbridge_session=" + cookie).status()).isEqualTo(401);
    browser.driver.navigate().refresh();
    browser.waitFor(d -> browser.field("Admin key").isDisplayed());
  }

  @Test
  @Order(8)
  void eachAccountShowsItsQuotaAndModels() {
    signIn();
    long reset = java.time.Instant.now().plusSeconds(86_400).getEpochSecond();
    Credentials rich = gw.emulator.oidc().newAccount();
    gw.emulator.runtime().catalogFor(rich.clientId(), io.qbridge.emulator.RuntimeService.CatalogAnswer.of(
        io.qbridge.emulator.RuntimeService.model("claude-sonnet-4.5", "Claude Sonnet 4.5", 200_000, 64_000),
        io.qbridge.emulator.RuntimeService.model("claude-opus-4.5", "Claude Opus 4.5", 200_000, 32_000)));
    gw.emulator.runtime().usageFor(rich.clientId(), io.qbridge.emulator.RuntimeService.UsageAnswer.credits(12.5, 50, reset));
    Credentials spent = gw.emulator.oidc().newAccount();
    gw.emulator.runtime().usageFor(spent.clientId(), io.qbridge.emulator.RuntimeService.UsageAnswer.credits(50, 50, reset));
    gw.emulator.runtime().catalogFor(spent.clientId(), io.qbridge.emulator.RuntimeService.CatalogAnswer.error(
        io.qbridge.emulator.RuntimeService.ErrorAnswer.unknownOperation()));
    for (var entry : Map.of("with-quota", rich, "spent-quota", spent).entrySet()) {
      Credentials c = entry.getValue();
      JsonObject body = new JsonObject().put("label", entry.getKey()).put("clientId", c.clientId())
          .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken());
      assertThat(gw.send(HttpMethod.POST, "/v2/accounts", body.toBuffer(), "x-admin-key", KEY, "content-type", "application/json")
          .status()).isEqualTo(201);
    }

    browser.waitFor(d -> browser.row("with-quota") != null && browser.row("spent-quota") != null
        && browser.cell(browser.row("with-quota"), "quota").contains("12.5 / 50 credit"));
    assertThat(browser.cell(browser.row("with-quota"), "quota")).contains("KIRO PRO").contains("resets");
    WebElement models = browser.waitFor(d -> browser.row("with-quota").findElement(By.cssSelector("td[data-key=models] summary")));
    assertThat(models.getText()).isEqualTo("2 models");
    models.click();
    WebElement list = browser.row("with-quota").findElement(By.cssSelector("td[data-key=models] ul"));
    assertThat(list.getAttribute("aria-label")).isEqualTo("Models of with-quota");
    assertThat(list.getText()).contains("claude-opus-4.5 (200,000 in, 32,000 out)");
    // the next poll leaves the opened list open
    browser.waitFor(d -> browser.byId("pool-summary").getText().contains("quota exhausted 1"));
    assertThat(browser.row("with-quota").findElement(By.cssSelector("td[data-key=models] ul")).isDisplayed()).isTrue();

    WebElement row = browser.row("spent-quota");
    assertThat(browser.cell(row, "state")).startsWith("quota exhausted until");
    assertThat(browser.cell(row, "quota")).contains("50 / 50 credit");
    assertThat(browser.cell(row, "models")).contains("static list").contains("last read failed: not_supported (HTTP 400)");

    browser.js("document.getElementById('lang-select').value = 'zh'; document.getElementById('lang-select').dispatchEvent(new Event('change'))");
    browser.waitFor(d -> browser.cell(browser.row("spent-quota"), "state").startsWith("额度用尽，直到"));
    assertThat(browser.cell(browser.row("spent-quota"), "models")).contains("静态列表");
    browser.js("document.getElementById('lang-select').value = 'en'; document.getElementById('lang-select').dispatchEvent(new Event('change'))");
    browser.waitFor(d -> browser.cell(browser.row("spent-quota"), "models").contains("static list"));
  }
}
