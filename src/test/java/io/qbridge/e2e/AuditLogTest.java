package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.time.ManualTimekeeper;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log through real HTTP: every admin write, console sign-in (failed too) and sign-out is
 * recorded with its actor, address, account and changed fields, never a secret value; GET /v2/audit
 * pages newest first, filters by account, answers bad parameters in the admin error shape; old
 * entries are pruned.
 */
@ExtendWith(VertxExtension.class)
class AuditLogTest {

  static final String KEY = "audit-admin-key-0123456789";

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  private TestGateway start(Vertx vertx, Map<String, String> env, Timekeeper time) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("ADMIN_KEY", KEY);
    gw = time == null ? TestGateway.start(vertx, dir, all) : TestGateway.start(vertx, dir, all, time);
    return gw;
  }

  private TestGateway.Response admin(HttpMethod method, String path, JsonObject body) {
    return gw.send(method, path, body == null ? null : body.toBuffer(), "content-type", "application/json",
        "x-admin-key", KEY);
  }

  private TestGateway.Response audit(String query) {
    return gw.send(HttpMethod.GET, "/v2/audit" + query, null, "x-admin-key", KEY);
  }

  /** Polls until the log holds at least {@code n} entries (recording follows the answer); newest first. */
  private List<JsonObject> awaitEntries(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonObject> entries = List.of();
    while (System.nanoTime() < deadline) {
      TestGateway.Response r = audit("?limit=500");
      assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      entries = list(r.json().getJsonArray("entries"));
      if (entries.size() >= n) return entries;
      Thread.sleep(20);
    }
    throw new AssertionError("expected " + n + " audit entries, got " + entries);
  }

  private static List<JsonObject> list(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    array.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  private static List<String> actions(List<JsonObject> entries) {
    return entries.stream().map(e -> e.getString("action")).toList();
  }

  @Test
  void everyAdminWriteIsRecordedWithItsChangesButNoSecret(Vertx vertx) throws Exception {
    start(vertx, Map.of(), null);
    Credentials c = gw.emulator.oidc().newAccount();
    TestGateway.Response created = admin(HttpMethod.POST, "/v2/accounts", new JsonObject().put("label", "first")
        .put("clientId", c.clientId()).put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken())
        .put("accessToken", c.accessToken()));
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    String newSecret = "cs-NEW-SECRET-VALUE";
    assertThat(admin(HttpMethod.PATCH, "/v2/accounts/" + id, new JsonObject().put("label", "renamed")
        .put("clientSecret", newSecret).put("other", new JsonObject().put("note", "n"))).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.PATCH, "/v2/accounts/" + id, new JsonObject().put("enabled", false)).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.PATCH, "/v2/accounts/" + id, new JsonObject().put("enabled", true)).status()).isEqualTo(200);
    // the emulator does not know the new client secret: the refresh fails, and is recorded as a failure
    assertThat(admin(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null).status()).isEqualTo(502);
    assertThat(admin(HttpMethod.PATCH, "/v2/accounts/" + id, new JsonObject().put("clientSecret", c.clientSecret()))
        .status()).isEqualTo(200);
    assertThat(admin(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.DELETE, "/v2/accounts/" + id, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.DELETE, "/v2/accounts/" + id, null).status()).isEqualTo(404);

    // device login: start, approval, claim
    gw.emulator.oidc().setDeviceIntervalSeconds(1);
    gw.emulator.oidc().setPendingPollsBeforeApproval(0);
    TestGateway.Response started = admin(HttpMethod.POST, "/v2/auth/start", new JsonObject().put("label", "device"));
    assertThat(started.status()).isEqualTo(200);
    TestGateway.Response claimed = admin(HttpMethod.POST, "/v2/auth/claim/" + started.json().getString("authId"), null);
    assertThat(claimed.status()).as(claimed.body().toString()).isEqualTo(201);
    String deviceAccount = claimed.json().getString("id");

    List<JsonObject> entries = awaitEntries(11);
    assertThat(actions(entries)).containsExactly("device_login.claim", "device_login.start", "account.delete",
        "account.delete", "account.refresh", "account.update", "account.refresh", "account.enable",
        "account.disable", "account.update", "account.create");
    for (JsonObject e : entries) {
      assertThat(e.getString("actor")).isEqualTo("admin-key");
      assertThat(e.getString("address")).isEqualTo("127.0.0.1");
      assertThat(Instant.parse(e.getString("time"))).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(
          60, java.time.temporal.ChronoUnit.SECONDS));
    }
    JsonObject create = entries.get(10);
    assertThat(create.getString("accountId")).isEqualTo(id);
    assertThat(create.getString("outcome")).isEqualTo("success");
    assertThat(create.getInteger("status")).isEqualTo(201);
    assertThat(create.getJsonArray("fields")).containsExactlyInAnyOrder("label", "clientId", "clientSecret",
        "refreshToken", "accessToken");
    assertThat(create.getJsonObject("values")).isEqualTo(new JsonObject().put("label", "first").put("clientId", c.clientId()));
    JsonObject update = entries.get(9);
    assertThat(update.getJsonArray("fields")).containsExactlyInAnyOrder("label", "clientSecret", "other");
    assertThat(update.getJsonObject("values")).isEqualTo(new JsonObject().put("label", "renamed")
        .put("other", new JsonObject().put("note", "n")));
    assertThat(entries.get(8).getJsonObject("values")).isEqualTo(new JsonObject().put("enabled", false));
    JsonObject failedRefresh = entries.get(6);
    assertThat(failedRefresh.getString("outcome")).isEqualTo("failure");
    assertThat(failedRefresh.getInteger("status")).isEqualTo(502);
    assertThat(entries.get(4).getString("outcome")).isEqualTo("success");
    assertThat(entries.get(3).getString("outcome")).isEqualTo("success");
    assertThat(entries.get(2).getString("outcome")).isEqualTo("failure");
    assertThat(entries.get(2).getInteger("status")).isEqualTo(404);
    assertThat(entries.get(1).getJsonObject("values")).isEqualTo(new JsonObject().put("label", "device"));
    assertThat(entries.get(0).getString("accountId")).isEqualTo(deviceAccount);
    assertThat(entries.get(0).getInteger("status")).isEqualTo(201);

    // no secret anywhere in the log, the raw answer included
    String raw = audit("?limit=500").body().toString();
    for (String secret : new String[] {c.clientSecret(), c.refreshToken(), c.accessToken(), newSecret, KEY}) {
      assertThat(raw).doesNotContain(secret);
    }

    // filtered by account: that account's entries only, newest first
    List<JsonObject> mine = list(audit("?accountId=" + id).json().getJsonArray("entries"));
    assertThat(mine).hasSize(9).allSatisfy(e -> assertThat(e.getString("accountId")).isEqualTo(id));
  }

  @Test
  void consoleSignInFailureSignInActionsAndSignOutAreRecordedUnderOneSessionTag(Vertx vertx) throws Exception {
    start(vertx, Map.of(), null);
    String[] json = {"content-type", "application/json", "origin", gw.baseUrl()};
    TestGateway.Response wrong = gw.send(HttpMethod.POST, "/v2/session",
        new JsonObject().put("adminKey", "wrong-key-guess").toBuffer(), json);
    assertThat(wrong.status()).isEqualTo(401);
    TestGateway.Response ok = gw.send(HttpMethod.POST, "/v2/session", new JsonObject().put("adminKey", KEY).toBuffer(), json);
    assertThat(ok.status()).isEqualTo(200);
    String cookie = ok.headers().get("set-cookie").split(";")[0];
    String sessionId = cookie.substring(cookie.indexOf('=') + 1);
    TestGateway.Response created = gw.send(HttpMethod.POST, "/v2/accounts", new JsonObject().put("label", "by-console")
        .put("clientId", "cid").put("clientSecret", "cs-x").put("refreshToken", "rt-x").toBuffer(),
        "content-type", "application/json", "origin", gw.baseUrl(), "cookie", cookie);
    assertThat(created.status()).isEqualTo(201);
    TestGateway.Response out = gw.send(HttpMethod.DELETE, "/v2/session", null, "origin", gw.baseUrl(), "cookie", cookie);
    assertThat(out.status()).isEqualTo(200);

    List<JsonObject> entries = awaitEntries(4);
    assertThat(actions(entries)).containsExactly("session.sign_out", "account.create", "session.sign_in",
        "session.sign_in_failed");
    JsonObject failed = entries.get(3);
    assertThat(failed.getString("actor")).isEqualTo("anonymous");
    assertThat(failed.getString("outcome")).isEqualTo("failure");
    assertThat(failed.getInteger("status")).isEqualTo(401);
    assertThat(failed.getString("address")).isEqualTo("127.0.0.1");
    String actor = entries.get(2).getString("actor");
    assertThat(actor).matches("session:[0-9a-f]{8}");
    assertThat(sessionId).doesNotContain(actor.substring("session:".length()));
    assertThat(entries.get(1).getString("actor")).isEqualTo(actor);
    assertThat(entries.get(0).getString("actor")).isEqualTo(actor);
    assertThat(audit("?limit=500").body().toString()).doesNotContain(sessionId).doesNotContain("wrong-key-guess");
  }

  /** A script's wrong ADMIN_KEY on any admin route is recorded like a failed sign-in, without the key. */
  @Test
  void aWrongAdminKeyFromAScriptIsRecorded(Vertx vertx) throws Exception {
    start(vertx, Map.of(), null);
    TestGateway.Response refused = gw.send(HttpMethod.GET, "/v2/accounts", null, "x-admin-key", "scripted-wrong-key");
    assertThat(refused.status()).isEqualTo(401);
    TestGateway.Response bearer = gw.send(HttpMethod.DELETE, "/v2/accounts/some-id", null,
        "authorization", "Bearer another-wrong-key");
    assertThat(bearer.status()).isEqualTo(401);

    List<JsonObject> entries = awaitEntries(2);
    assertThat(actions(entries)).containsExactly("admin_key.rejected", "admin_key.rejected");
    for (JsonObject e : entries) {
      assertThat(e.getString("actor")).isEqualTo("anonymous");
      assertThat(e.getString("outcome")).isEqualTo("failure");
      assertThat(e.getInteger("status")).isEqualTo(401);
      assertThat(e.getString("address")).isEqualTo("127.0.0.1");
    }
    assertThat(audit("?limit=500").body().toString()).doesNotContain("scripted-wrong-key").doesNotContain("another-wrong-key");
  }

  @Test
  void pagesNewestFirstWithACursorAndRejectsBadParameters(Vertx vertx) throws Exception {
    start(vertx, Map.of(), null);
    for (int i = 0; i < 7; i++) {
      assertThat(admin(HttpMethod.POST, "/v2/accounts", new JsonObject().put("label", "p" + i).put("clientId", "c")
          .put("clientSecret", "s").put("refreshToken", "r")).status()).isEqualTo(201);
    }
    List<JsonObject> all = awaitEntries(7);
    List<String> labels = new ArrayList<>();
    String before = null;
    Set<String> ids = new HashSet<>();
    int pages = 0;
    do {
      TestGateway.Response page = audit("?limit=3" + (before == null ? "" : "&before=" + before));
      assertThat(page.status()).isEqualTo(200);
      for (JsonObject e : list(page.json().getJsonArray("entries"))) {
        labels.add(e.getJsonObject("values").getString("label"));
        assertThat(ids.add(e.getString("id"))).isTrue();
      }
      before = page.json().getString("nextBefore");
      pages++;
    } while (before != null);
    assertThat(pages).isEqualTo(3);
    assertThat(labels).containsExactly("p6", "p5", "p4", "p3", "p2", "p1", "p0");
    assertThat(all.stream().map(e -> e.getString("id")).toList()).containsExactlyElementsOf(
        all.stream().map(e -> e.getString("id")).sorted(java.util.Comparator.comparing((String s) -> Long.parseLong(s)).reversed()).toList());

    for (String bad : new String[] {"?limit=0", "?limit=501", "?limit=abc", "?limit=1&limit=2", "?before=-1",
        "?before=abc", "?before=99999999999999999999", "?accountId="}) {
      TestGateway.Response r = audit(bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      JsonObject error = r.json().getJsonObject("error");
      assertThat(error.getString("type")).as(bad).isEqualTo("invalid_request_error");
      String param = bad.substring(1, bad.indexOf('='));
      assertThat(error.getString("message")).as(bad).startsWith(param + ":");
    }
    // the admin guard covers it
    assertThat(gw.send(HttpMethod.GET, "/v2/audit", null).status()).isEqualTo(401);
  }

  @Test
  void entriesOlderThanTheRetentionArePruned(Vertx vertx) throws Exception {
    ManualTimekeeper time = new ManualTimekeeper(Instant.parse("2026-03-01T10:00:00Z"));
    start(vertx, Map.of("AUDIT_RETENTION_DAYS", "2"), time);
    assertThat(admin(HttpMethod.POST, "/v2/accounts", new JsonObject().put("label", "old").put("clientId", "c")
        .put("clientSecret", "s").put("refreshToken", "r")).status()).isEqualTo(201);
    awaitEntries(1);
    time.advance(Duration.ofDays(1).toMillis());
    assertThat(admin(HttpMethod.DELETE, "/v2/accounts/nope", null).status()).isEqualTo(404);
    assertThat(awaitEntries(2)).hasSize(2);

    time.advance(Duration.ofDays(1).plusHours(1).toMillis()); // the first entry is now past 2 days; a prune runs hourly
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonObject> left;
    do {
      left = list(audit("").json().getJsonArray("entries"));
      if (left.size() == 1) break;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertThat(actions(left)).containsExactly("account.delete");
  }
}
