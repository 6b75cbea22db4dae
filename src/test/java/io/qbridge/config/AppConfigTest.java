package io.qbridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  private static AppConfig config(List<String> keys, String adminKey, String proxy, String db) {
    return new AppConfig(
        new AppConfig.Http("0.0.0.0", 8000, 4, keys, adminKey, 33554432, 15000, 1.0, 200000, 3, 30),
        new AppConfig.Upstream("https://q.us-east-1.amazonaws.com/", "https://oidc.us-east-1.amazonaws.com",
            "https://view.awsapps.com/start", proxy, "templates", 5000, 300000, 60000, 200, 64),
        new AppConfig.Pool(db, 100, 0, 60, 15, 1800, 0, 300, 1500, 300),
        new AppConfig.DeviceLogin(300, 600),
        new AppConfig.Responses(24, 8388608, 268435456),
        AppConfig.Routing.defaults(),
        new AppConfig.Admin(28800, 86400, List.of()),
        new AppConfig.Ops(0, "", 0));
  }

  @Test
  void describeMasksEverySecret() {
    AppConfig c = config(List.of("sk-live-AAAA", "sk-live-BBBB"), "admin-SECRET",
        "http://alice:proxypass@proxy.example.com:3128",
        "jdbc:postgresql://dbuser:dbpass@db:5432/q?user=x&password=pgpass&ssl=true");
    String d = c.describe();
    assertThat(d)
        .doesNotContain("sk-live").doesNotContain("admin-SECRET").doesNotContain("proxypass")
        .doesNotContain("alice").doesNotContain("dbpass").doesNotContain("pgpass")
        .contains("auth=required(2 keys)")
        .contains("adminKey=set")
        .contains("httpProxy=http://***@proxy.example.com:3128")
        .contains("databaseUrl=jdbc:postgresql://***@db:5432/q?user=x&password=***&ssl=true")
        .contains("port=8000")
        .contains("maxBodyBytes=33554432")
        .doesNotContain("\n");
    assertThat(c.toString()).isEqualTo("AppConfig[" + d + "]");
  }

  @Test
  void describeWithoutSecrets() {
    AppConfig c = config(List.of(), "", "", "jdbc:sqlite:data.sqlite3");
    assertThat(c.describe())
        .startsWith("host=0.0.0.0 port=8000 httpInstances=4 auth=off adminKey=unset maxErrorCount=100 httpProxy=none "
            + "databaseUrl=jdbc:sqlite:data.sqlite3 ");
    assertThat(c.http().authRequired()).isFalse();
    assertThat(c.http().adminEnabled()).isFalse();
  }

  @Test
  void authRequiredWhenKeysPresent() {
    assertThat(config(List.of("k"), "", "", "jdbc:sqlite:x").http().authRequired()).isTrue();
  }

  @Test
  void maskUrlHandlesSchemelessAndPropertyStyleSecrets() {
    assertThat(Redaction.maskUrl("user:pw@proxy:3128")).isEqualTo("***@proxy:3128");
    assertThat(Redaction.maskUrl("http://proxy:3128")).isEqualTo("http://proxy:3128");
    assertThat(Redaction.maskUrl("http://proxy:3128/a@b")).isEqualTo("http://proxy:3128/a@b");
    assertThat(Redaction.maskUrl("jdbc:postgresql://db/q;password=x;user=y")).isEqualTo("jdbc:postgresql://db/q;password=***;user=y");
    assertThat(Redaction.maskUrl("jdbc:sqlite:/var/lib/q.sqlite3")).isEqualTo("jdbc:sqlite:/var/lib/q.sqlite3");
  }
}
