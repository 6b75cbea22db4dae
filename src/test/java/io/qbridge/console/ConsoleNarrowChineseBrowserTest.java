package io.qbridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.Credentials;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The console as a Chinese-speaking user on a 375 px phone sees it, in dev mode (no ADMIN_KEY)
 * from this machine: no sign-in, Chinese from the browser language, a switch to English, no
 * horizontal scrolling, and the keyboard alone adds an account.
 */
@ExtendWith(VertxExtension.class)
class ConsoleNarrowChineseBrowserTest {

  static TestGateway gw;
  static Browser browser;

  @RegisterExtension
  static final org.junit.jupiter.api.extension.TestWatcher SCREENSHOTS = Browser.screenshotsOnFailure(() -> browser);

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    browser = Browser.start("zh-CN", 375, 812);
    gw = TestGateway.start(vertx, Files.createTempDirectory("qbridge-console-zh-"), Map.of());
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
  }

  @AfterEach
  void noErrorsAndNoForeignRequests() {
    assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    assertThat(browser.foreignRequests(gw.baseUrl())).as("requests to other origins").isEmpty();
  }

  private boolean noHorizontalScroll() {
    return (Boolean) browser.js("return document.documentElement.scrollWidth <= window.innerWidth");
  }

  @Test
  void chineseAt375PixelsWithoutSignInOrHorizontalScrolling() {
    Credentials c = gw.emulator.oidc().newAccount();
    gw.postJson("/v2/accounts", new JsonObject().put("label", "一个很长的账号名称-with-a-very-long-label-that-must-wrap")
        .put("clientId", c.clientId() + "-and-a-client-id-that-is-far-too-long-for-a-phone-screen")
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()));
    browser.driver.get(gw.baseUrl() + "/");

    browser.waitFor(d -> browser.hasButton("添加账号"));
    assertThat(browser.js("return window.innerWidth")).isEqualTo(375L);
    assertThat(browser.js("return document.documentElement.lang")).isEqualTo("zh-CN");
    assertThat(browser.hasButton("设备登录")).isTrue();
    assertThat(browser.hasButton("退出登录")).as("dev mode has nothing to sign out of").isFalse();
    assertThat(browser.byId("sign-in-view").isDisplayed()).isFalse();
    assertThat(browser.byId("notice").getText()).contains("开发模式");
    WebElement row = browser.waitFor(d -> browser.row("一个很长的账号名称-with-a-very-long-label-that-must-wrap"));
    assertThat(browser.cell(row, "state")).contains("正常");
    assertThat(noHorizontalScroll()).as("no horizontal scroll at 375 px").isTrue();

    // the keyboard alone: the form takes focus, Enter saves
    browser.button("添加账号").click();
    assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("acc-label");
    browser.driver.switchTo().activeElement().sendKeys("键盘账号", Keys.TAB, "cid-keyboard", Keys.TAB, "secret", Keys.TAB,
        "refresh", Keys.ENTER);
    browser.waitFor(d -> browser.row("键盘账号"));
    assertThat(noHorizontalScroll()).isTrue();

    // the audit log in Chinese, as cards at this width: the new account, added from this machine
    assertThat(browser.byId("audit-title").getText()).isEqualTo("审计日志");
    browser.waitFor(d -> d.findElements(org.openqa.selenium.By.cssSelector("#audit-body tr")).stream()
        .anyMatch(tr -> tr.getText().contains("添加账号") && tr.getText().contains("本机（开发模式）")
            && tr.getText().contains("键盘账号")));
    assertThat(browser.hasButton("重新加载日志")).isTrue();
    assertThat(noHorizontalScroll()).isTrue();

    browser.button("设备登录").click();
    assertThat(noHorizontalScroll()).isTrue();

    // switching the language re-renders everything, rows included, and is remembered
    new org.openqa.selenium.support.ui.Select(browser.byId("lang-select")).selectByVisibleText("English");
    browser.waitFor(d -> browser.hasButton("Add account"));
    assertThat(browser.cell(browser.row("键盘账号"), "state")).isEqualTo("active");
    browser.driver.navigate().refresh();
    browser.waitFor(d -> browser.hasButton("Add account"));
    new org.openqa.selenium.support.ui.Select(browser.byId("lang-select")).selectByVisibleText("简体中文");
    browser.waitFor(d -> browser.hasButton("添加账号"));
  }
}
