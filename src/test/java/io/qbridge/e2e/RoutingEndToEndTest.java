package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.RuntimeService;
import io.qbridge.emulator.RuntimeService.CatalogAnswer;
import io.qbridge.emulator.RuntimeService.ErrorAnswer;
import io.qbridge.emulator.RuntimeService.UsageAnswer;
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 against the emulator: per-account catalogs and the routing they drive, quota awareness,
 * sticky conversations.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoutingEndToEndTest {

  @TempDir
  Path dir;
  private TestGateway gw;

  @AfterEach
  void tearDown() {
    if (gw != null) gw.close();
  }

  private void start(Vertx vertx, Map<String, String> env) {
    gw = TestGateway.start(vertx, dir, env);
  }

  /** A fresh emulator account with its catalog and usage set before qbridge learns of it. */
  private Credentials account(CatalogAnswer catalog, UsageAnswer usage) {
    Credentials c = gw.emulator.oidc().newAccount();
    if (catalog != null) gw.emulator.runtime().catalogFor(c.clientId(), catalog);
    if (usage != null) gw.emulator.runtime().usageFor(c.clientId(), usage);
    JsonObject body = new JsonObject().put("label", "acct-" + c.clientId()).put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken());
    assertThat(gw.request(HttpMethod.POST, "/v2/accounts", body.toBuffer(), "application/json").status()).isEqualTo(201);
    return c;
  }

  private void awaitFetched(Credentials... accounts) {
    for (Credentials c : accounts) {
      poll(() -> {
        JsonObject other = gw.account(c.clientId()).getJsonObject("other", new JsonObject());
        return other.containsKey("catalogFetchedAt") && other.containsKey("usageFetchedAt");
      }, "catalog and usage of " + c.clientId());
    }
  }

  private static void poll(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static JsonObject claude(String model, String userId) {
    JsonObject b = new JsonObject().put("model", model).put("max_tokens", 100)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    if (userId != null) b.put("metadata", new JsonObject().put("user_id", userId));
    return b;
  }

  private String clientOf(RecordedRequest r) {
    return gw.emulator.oidc().clientIdOf(r.token());
  }

  private static String modelIdOf(RecordedRequest r) {
    return r.body().getJsonObject("conversationState").getJsonObject("currentMessage")
        .getJsonObject("userInputMessage").getString("modelId");
  }

  private Set<String> clientsServing(int fromIndex) {
    List<RecordedRequest> reqs = gw.emulator.chatRequests();
    return reqs.subList(fromIndex, reqs.size()).stream().map(this::clientOf).collect(Collectors.toSet());
  }

  // ------------------------------------------------------------------ catalogs and /v1/models

  @Test
  void catalogsAreFetchedPerAccountAndModelsListTheirUnion(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.of(RuntimeService.model("claude-sonnet-4.5", "Claude Sonnet 4.5", 200_000, 64_000),
        RuntimeService.model("claude-opus-4.5", "Claude Opus 4.5", 200_000, 32_000)), null);
    Credentials b = account(CatalogAnswer.of(RuntimeService.model("claude-sonnet-4.6", "Claude Sonnet 4.6", 1_000_000, 64_000),
        RuntimeService.model("deepseek-3.2", "DeepSeek 3.2", 128_000, 8_000)), null);
    awaitFetched(a, b);

    assertThat(gw.emulator.runtime().calls(RuntimeService.LIST_AVAILABLE_MODELS, a.clientId())).isEqualTo(1);
    assertThat(gw.emulator.runtime().calls(RuntimeService.GET_USAGE_LIMITS, b.clientId())).isEqualTo(1);
    JsonObject other = gw.account(a.clientId()).getJsonObject("other");
    assertThat(other.getJsonObject("modelCatalog").getJsonArray("models")).hasSize(2);
    assertThat(other.getJsonObject("usage").getString("plan")).isEqualTo("KIRO FREE");

    poll(() -> gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("deepseek-3.2"), "union");
    JsonArray data = gw.request(HttpMethod.GET, "/v1/models", null, null).json().getJsonArray("data");
    List<String> ids = data.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertThat(ids.subList(0, 4)).containsExactlyInAnyOrder("claude-sonnet-4.5", "claude-opus-4.5", "claude-sonnet-4.6", "deepseek-3.2");
    assertThat(ids).contains("claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929").doesNotContain("claude-haiku-4.5")
        .doesNotHaveDuplicates();
    JsonObject sonnet46 = data.stream().map(x -> (JsonObject) x).filter(m -> m.getString("id").equals("claude-sonnet-4.6"))
        .findFirst().orElseThrow();
    assertThat(sonnet46.getInteger("context_window")).isEqualTo(1_000_000);
    assertThat(sonnet46.getInteger("max_output_tokens")).isEqualTo(64_000);
    assertThat(sonnet46.getString("object")).isEqualTo("model");

    JsonObject anthropic = gw.get("/v1/models", "anthropic-version", "2023-06-01").json();
    assertThat(anthropic.containsKey("object")).isFalse();
    assertThat(anthropic.getBoolean("has_more")).isFalse();
    JsonObject first = anthropic.getJsonArray("data").stream().map(x -> (JsonObject) x)
        .filter(m -> m.getString("id").equals("claude-sonnet-4.5")).findFirst().orElseThrow();
    assertThat(first.fieldNames()).containsExactlyInAnyOrder("id", "display_name", "created_at", "type");
    assertThat(first.getString("type")).isEqualTo("model");
    assertThat(first.getString("display_name")).isEqualTo("Claude Sonnet 4.5");
    assertThat(anthropic.getString("first_id")).isEqualTo(anthropic.getJsonArray("data").getJsonObject(0).getString("id"));

    // one model, in each client's shape; an unknown id is a 404 in that client's error shape
    JsonObject one = gw.get("/v1/models/claude-sonnet-4.6").json();
    assertThat(one.getString("id")).isEqualTo("claude-sonnet-4.6");
    assertThat(one.getString("object")).isEqualTo("model");
    assertThat(one.getInteger("context_window")).isEqualTo(1_000_000);
    assertThat(one.getInteger("max_output_tokens")).isEqualTo(64_000);
    JsonObject oneAnthropic = gw.get("/v1/models/claude-opus-4-5-20251101", "anthropic-version", "2023-06-01").json();
    assertThat(oneAnthropic.fieldNames()).containsExactlyInAnyOrder("id", "display_name", "created_at", "type");
    assertThat(oneAnthropic.getString("created_at")).isEqualTo("2025-11-01T00:00:00Z");
    TestGateway.Response missingOpenAi = gw.get("/v1/models/claude-haiku-4.5");
    assertThat(missingOpenAi.status()).isEqualTo(404);
    assertThat(missingOpenAi.json().getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    assertThat(missingOpenAi.json().containsKey("type")).isFalse();
    assertThat(missingOpenAi.json().getJsonObject("error").getString("message")).isEqualTo("The model 'claude-haiku-4.5' does not exist");
    TestGateway.Response missingAnthropic = gw.get("/v1/models/claude-haiku-4.5", "anthropic-version", "2023-06-01");
    assertThat(missingAnthropic.status()).isEqualTo(404);
    assertThat(missingAnthropic.json().getString("type")).isEqualTo("error");
    assertThat(missingAnthropic.json().getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    assertThat(missingAnthropic.json().getJsonObject("error").containsKey("param")).isFalse();
  }

  @Test
  void catalogAndUsageAreReadAgainOnSchedule(Vertx vertx) {
    ManualTimekeeper time = new ManualTimekeeper();
    gw = TestGateway.start(vertx, dir, Map.of("MODEL_CATALOG_TTL_SECONDS", "3600", "USAGE_REFRESH_SECONDS", "600"), time);
    Credentials a = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"), null);
    awaitFetched(a);
    // the token refresh after the account was added reads both again (the stored token predates the account)
    String id = gw.account(a.clientId()).getString("id");
    assertThat(gw.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null).status()).isEqualTo(200);
    poll(() -> catalogCalls(a) == 2 && usageCalls(a) == 2, "entitlements read again after the refresh");
    gw.emulator.runtime().catalogFor(a.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-sonnet-4.6"));

    Instant start = time.now();
    poll(() -> fetchedAt(a, "usageFetchedAt").equals(start) && fetchedAt(a, "catalogFetchedAt").equals(start), "reads recorded");

    // minute by minute (the pool's tick), each read awaited before time moves on, so every read
    // happens exactly when due; the background token refresh at 30 min reads nothing more
    for (int minute = 1; minute <= 60; minute++) {
      time.advance(60_000);
      long usage = 2 + minute / 10;
      long catalog = minute < 60 ? 2 : 3;
      int m = minute;
      poll(() -> {
        assertThat(usageCalls(a)).as("usage reads at minute %d", m).isLessThanOrEqualTo(usage);
        assertThat(catalogCalls(a)).as("catalog reads at minute %d", m).isLessThanOrEqualTo(catalog);
        return usageCalls(a) == usage && catalogCalls(a) == catalog
            && (m % 10 != 0 || fetchedAt(a, "usageFetchedAt").equals(time.now()));
      }, "reads due at minute " + minute);
    }
    assertThat(gw.account(a.clientId()).getString("last_refresh_time")).isNotNull();
    poll(() -> gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("claude-sonnet-4.6"),
        "the new catalog served");
  }

  private Instant fetchedAt(Credentials c, String key) {
    String text = gw.account(c.clientId()).getJsonObject("other").getString(key);
    return text == null ? Instant.EPOCH : Instant.parse(text);
  }

  private long catalogCalls(Credentials c) {
    return gw.emulator.runtime().calls(RuntimeService.LIST_AVAILABLE_MODELS, c.clientId());
  }

  private long usageCalls(Credentials c) {
    return gw.emulator.runtime().calls(RuntimeService.GET_USAGE_LIMITS, c.clientId());
  }

  @Test
  void anAccountWithoutTokenIsReadRightAfterItsFirstRefresh(Vertx vertx) {
    start(vertx, Map.of());
    Credentials c = gw.emulator.oidc().newAccount();
    gw.emulator.runtime().catalogFor(c.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-opus-4.5"));
    JsonObject body = new JsonObject().put("clientId", c.clientId()).put("clientSecret", c.clientSecret())
        .put("refreshToken", c.refreshToken());
    assertThat(gw.request(HttpMethod.POST, "/v2/accounts", body.toBuffer(), "application/json").status()).isEqualTo(201);
    assertThat(catalogCalls(c)).isZero(); // no token yet: nothing to read with, and the catalog read never refreshes

    assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200); // the lease refreshes
    // read at once, not on the next minute's tick
    poll(() -> gw.account(c.clientId()).getJsonObject("other").containsKey("catalogFetchedAt"), "catalog after the refresh");
    assertThat(gw.account(c.clientId()).getJsonObject("other").getJsonObject("modelCatalog").encode()).contains("claude-opus-4.5");
  }

  @Test
  void newCredentialsAreReadAfterTheirRefreshAndReEnablingReadsAgain(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"), null);
    awaitFetched(a);
    String id = gw.account(a.clientId()).getString("id");
    String path = "/v2/accounts/" + id;

    // the admin gives the account another Amazon Q account's credentials: its catalog follows at the refresh
    Credentials b = gw.emulator.oidc().newAccount();
    gw.emulator.runtime().catalogFor(b.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-opus-4.5"));
    JsonObject patch = new JsonObject().put("clientId", b.clientId()).put("clientSecret", b.clientSecret())
        .put("refreshToken", b.refreshToken());
    assertThat(gw.request(HttpMethod.PATCH, path, patch.toBuffer(), "application/json").status()).isEqualTo(200);
    assertThat(gw.request(HttpMethod.POST, path + "/refresh", null, null).status()).isEqualTo(200);
    poll(() -> catalogCalls(b) >= 1 && catalogOf(b).contains("claude-opus-4.5"), "the new credentials' catalog");

    // disabled, the account's plan changes; re-enabling reads it again at once
    assertThat(gw.request(HttpMethod.PATCH, path, new JsonObject().put("enabled", false).toBuffer(), "application/json").status())
        .isEqualTo(200);
    gw.emulator.runtime().catalogFor(b.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.6"));
    long before = catalogCalls(b);
    assertThat(gw.request(HttpMethod.PATCH, path, new JsonObject().put("enabled", true).toBuffer(), "application/json").status())
        .isEqualTo(200);
    poll(() -> catalogCalls(b) > before && catalogOf(b).contains("claude-sonnet-4.6"), "catalog read on re-enable");
    assertThat(catalogOf(b)).doesNotContain("claude-opus-4.5");
  }

  private String catalogOf(Credentials c) {
    JsonObject catalog = gw.account(c.clientId()).getJsonObject("other").getJsonObject("modelCatalog");
    return catalog == null ? "" : catalog.encode();
  }

  @Test
  void catalogFailuresNeverDisableAnAccountAndShowInTheAdminApi(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.error(ErrorAnswer.unknownOperation()), UsageAnswer.error(ErrorAnswer.featureNotSupported()));
    awaitFetched(a);

    JsonObject acct = gw.account(a.clientId());
    assertThat(acct.getBoolean("enabled")).isTrue();
    assertThat(acct.getJsonObject("other").getString("catalogError")).isEqualTo("not_supported (HTTP 400)");
    assertThat(acct.getJsonObject("other").getString("usageError")).isEqualTo("not_supported (HTTP 403)");
    assertThat(acct.getInteger("error_count")).isZero();
    // the static catalog stands in: chat still works
    assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4-5-20250929", null)).status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ routing by model

  @Test
  void aModelGoesOnlyToAccountsWhoseCatalogHasIt(Vertx vertx) {
    start(vertx, Map.of());
    gw.emulator.runtime().setStrictModels(true);
    Credentials opus = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-opus-4.5"), null);
    Credentials plain = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"), null);
    awaitFetched(opus, plain);
    poll(() -> gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("claude-opus-4.5"), "union");

    for (int i = 0; i < 8; i++) {
      TestGateway.Response r = gw.postJson("/v1/messages", claude("claude-opus-4-5-20251101", null));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("x-qbridge-model")).isNull();
    }
    assertThat(clientsServing(0)).containsExactly(opus.clientId());
    assertThat(gw.emulator.chatRequests()).allSatisfy(r -> assertThat(modelIdOf(r)).isEqualTo("claude-opus-4.5"));
  }

  @Test
  void invalidModelIdFailsOverAndLeavesTheAccountsCatalog(Vertx vertx) {
    start(vertx, Map.of());
    gw.emulator.runtime().setStrictModels(true);
    // "stale" lists opus but Amazon Q refuses it there; "good" is nearly out of quota, so "stale" is tried first
    Credentials stale = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-opus-4.5"), null);
    Credentials good = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-opus-4.5"),
        UsageAnswer.credits(49.5, 50, Instant.now().plusSeconds(86_400).getEpochSecond()));
    awaitFetched(stale, good);
    gw.emulator.runtime().catalogFor(stale.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"));

    // the emulator (strict) answers INVALID_MODEL_ID whenever opus reaches "stale"
    for (int i = 0; i < 6 && !triedOn(stale.clientId(), "claude-opus-4.5"); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-opus-4.5", null)).status()).isEqualTo(200);
    }
    assertThat(triedOn(stale.clientId(), "claude-opus-4.5")).isTrue();
    poll(() -> !gw.account(stale.clientId()).getJsonObject("other").getJsonObject("modelCatalog").encode().contains("opus"),
        "opus removed from the stale catalog");
    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 4; i++) assertThat(gw.postJson("/v1/messages", claude("claude-opus-4.5", null)).status()).isEqualTo(200);
    assertThat(clientsServing(before)).containsExactly(good.clientId());
    assertThat(gw.account(stale.clientId()).getInteger("error_count")).isZero();
  }

  private boolean triedOn(String clientId, String model) {
    return gw.emulator.chatRequests().stream().anyMatch(r -> model.equals(modelIdOf(r)) && clientId.equals(clientOf(r)));
  }

  @Test
  void fallbackServesTheClosestModelAndNamesIt(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5", "claude-sonnet-4"), null);
    awaitFetched(a);
    poll(() -> !gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("claude-haiku-4.5"), "union");

    TestGateway.Response r = gw.postJson("/v1/messages", claude("claude-opus-4-5-20251101", null));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("x-qbridge-model")).isEqualTo("claude-sonnet-4.5");
    assertThat(modelIdOf(gw.emulator.chatRequests().get(0))).isEqualTo("claude-sonnet-4.5");
    assertThat(r.json().getString("model")).isEqualTo("claude-opus-4-5-20251101");
  }

  @Test
  void fallbackOffAnswers404NamingTheAvailableModels(Vertx vertx) {
    start(vertx, Map.of("MODEL_FALLBACK", "off"));
    Credentials a = account(CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"), null);
    awaitFetched(a);
    poll(() -> !gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("claude-haiku-4.5"), "union");

    TestGateway.Response claudeApi = gw.postJson("/v1/messages", claude("claude-opus-4-5-20251101", null));
    assertThat(claudeApi.status()).isEqualTo(404);
    assertThat(claudeApi.json().getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    assertThat(claudeApi.json().getJsonObject("error").getString("message"))
        .isEqualTo("The model 'claude-opus-4-5-20251101' is not available; available models: claude-sonnet-4.5");
    TestGateway.Response openAi = gw.postJson("/v1/chat/completions", new JsonObject().put("model", "gpt-4o")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    assertThat(openAi.status()).isEqualTo(404);
    assertThat(openAi.json().getJsonObject("error").getString("message")).contains("available models: claude-sonnet-4.5");
    assertThat(gw.emulator.chatRequests()).isEmpty();
  }

  @Test
  void contextLimitFollowsTheModelsWindowLocally(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.of(RuntimeService.model("claude-sonnet-4.5", "S", 200_000, 64_000),
        RuntimeService.model("claude-haiku-4.5", "H", 100, 50)), null);
    awaitFetched(a);
    poll(() -> gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("\"context_window\":100"), "union");

    JsonObject big = claude("claude-haiku-4-5-20251001", null);
    big.getJsonArray("messages").getJsonObject(0).put("content", "word ".repeat(300));
    TestGateway.Response r = gw.postJson("/v1/messages", big);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message")).matches("prompt is too long: \\d+ tokens > 100 maximum");
    assertThat(gw.emulator.chatRequests()).isEmpty();
    big.put("model", "claude-sonnet-4.5");
    assertThat(gw.postJson("/v1/messages", big).status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ quota

  @Test
  void anExhaustedAccountIsNeverCalledAndComesBackAfterItsReset(Vertx vertx) {
    ManualTimekeeper time = new ManualTimekeeper();
    gw = TestGateway.start(vertx, dir, Map.of(), time);
    Instant reset = time.now().plusSeconds(7200);
    Credentials spent = account(null, UsageAnswer.credits(50, 50, reset.getEpochSecond()));
    Credentials fresh = account(null, null);
    awaitFetched(spent, fresh);

    for (int i = 0; i < 6; i++) assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    assertThat(clientsServing(0)).containsExactly(fresh.clientId());
    JsonObject admin = gw.account(spent.clientId());
    assertThat(admin.getString("state")).isEqualTo("quota_exhausted");
    assertThat(Instant.parse(admin.getString("stateUntil"))).isEqualTo(Instant.ofEpochSecond(reset.getEpochSecond()));
    assertThat(admin.getInteger("error_count")).isZero();
    assertThat(gw.account(fresh.clientId()).getString("state")).isEqualTo("active");

    // the period turns over: past the reset the account is eligible again by itself, even while
    // Amazon Q still reports the old period; its next usage read shows the new period's room
    time.advance(7201_000);
    assertThat(gw.account(spent.clientId()).getString("state")).isEqualTo("active");
    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 16 && !clientsServing(before).contains(spent.clientId()); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    }
    assertThat(clientsServing(before)).contains(spent.clientId());
    gw.emulator.runtime().usageFor(spent.clientId(), UsageAnswer.credits(0, 50, reset.plusSeconds(30L * 86_400).getEpochSecond()));
    poll(() -> {
      time.advance(60_000);
      return gw.account(spent.clientId()).getJsonObject("other").getJsonObject("usage").getDouble("used") == 0.0;
    }, "the new period's usage");
    assertThat(gw.account(spent.clientId()).getString("state")).isEqualTo("active");
  }

  @Test
  void aFreshReadWithRoomBringsAnAccountBackBeforeItsResetAndFeatureNotSupportedChangesNothing(Vertx vertx) {
    ManualTimekeeper time = new ManualTimekeeper();
    gw = TestGateway.start(vertx, dir, Map.of("USAGE_REFRESH_SECONDS", "600"), time);
    long reset = time.now().plusSeconds(20L * 86_400).getEpochSecond();
    Credentials spent = account(null, UsageAnswer.credits(100, 100, reset));
    Credentials unknown = account(null, UsageAnswer.credits(100, 100, reset));
    awaitFetched(spent, unknown);
    assertThat(gw.account(spent.clientId()).getString("state")).isEqualTo("quota_exhausted");
    Credentials fresh = account(null, null);
    awaitFetched(fresh);

    // "spent" gets more allowance; "unknown" stops answering its usage (FEATURE_NOT_SUPPORTED)
    gw.emulator.runtime().usageFor(spent.clientId(), UsageAnswer.credits(100, 1000, reset));
    gw.emulator.runtime().usageFor(unknown.clientId(), UsageAnswer.error(ErrorAnswer.featureNotSupported()));
    long before = usageCalls(unknown);
    time.advance(600_000);
    poll(() -> usageCalls(unknown) > before && gw.account(unknown.clientId()).getJsonObject("other").getString("usageError") != null
        && gw.account(spent.clientId()).getString("state").equals("active"), "the new usage reads");

    JsonObject stillSpent = gw.account(unknown.clientId());
    assertThat(stillSpent.getString("state")).isEqualTo("quota_exhausted"); // the last known usage stands
    assertThat(stillSpent.getJsonObject("other").getString("usageError")).isEqualTo("not_supported (HTTP 403)");
    assertThat(stillSpent.getBoolean("enabled")).isTrue();
    int from = gw.emulator.chatRequests().size();
    for (int i = 0; i < 16 && !clientsServing(from).contains(spent.clientId()); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    }
    assertThat(clientsServing(from)).contains(spent.clientId()).doesNotContain(unknown.clientId());
  }

  @Test
  void aQuotaParkEndsAtTheResetTheUsageReadGives(Vertx vertx) {
    ManualTimekeeper time = new ManualTimekeeper();
    gw = TestGateway.start(vertx, dir, Map.of("QUOTA_PARK_SECONDS", String.valueOf(40L * 86_400)), time);
    Instant reset = Instant.ofEpochSecond(time.now().plusSeconds(7200).getEpochSecond());
    Credentials a = account(null, UsageAnswer.credits(10, 50, reset.getEpochSecond()));
    Credentials other = account(null, null);
    awaitFetched(a, other);
    gw.emulator.scenarioForClient(a.clientId(), io.qbridge.emulator.Scenario.monthlyQuota(402));
    gw.emulator.runtime().usageFor(a.clientId(), UsageAnswer.credits(50, 50, reset.getEpochSecond()));
    for (int i = 0; i < 12 && !triedBy(a); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200); // fails over
    }
    assertThat(triedBy(a)).isTrue();
    // parked for QUOTA_PARK_SECONDS at first; the usage read right after the error moves the end to the real reset
    poll(() -> reset.toString().equals(String.valueOf(parkedUntil(a))), "the park moved to the reset");
    JsonObject admin = gw.account(a.clientId());
    assertThat(admin.getString("state")).isEqualTo("parked");
    assertThat(Instant.parse(admin.getString("stateUntil"))).isEqualTo(reset);

    gw.emulator.scenarioForClient(a.clientId(), null);
    time.advance(7201_000);
    assertThat(gw.account(a.clientId()).getString("state")).isEqualTo("active");
    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 16 && !clientsServing(before).contains(a.clientId()); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    }
    assertThat(clientsServing(before)).contains(a.clientId());
  }

  private boolean triedBy(Credentials c) {
    return gw.emulator.chatRequests().stream().anyMatch(r -> c.clientId().equals(clientOf(r)));
  }

  private Instant parkedUntil(Credentials c) {
    String text = gw.account(c.clientId()).getJsonObject("other").getString("parkedUntil");
    return text == null ? null : Instant.parse(text);
  }

  @Test
  void usageIsExportedAsPerAccountGauges(Vertx vertx) {
    start(vertx, Map.of());
    long reset = Instant.now().plusSeconds(86_400).getEpochSecond();
    Credentials a = account(null, UsageAnswer.credits(12.5, 50, reset));
    Credentials b = account(null, UsageAnswer.credits(50, 50, reset));
    awaitFetched(a, b);
    String idA = gw.account(a.clientId()).getString("id");
    String idB = gw.account(b.clientId()).getString("id");
    String text = gw.get("/metrics").body().toString();
    assertThat(text).contains("qbridge_account_quota_used{account=\"" + idA + "\"} 12.5")
        .contains("qbridge_account_quota_limit{account=\"" + idA + "\"} 50.0")
        .contains("qbridge_account_quota_exhausted{account=\"" + idA + "\"} 0.0")
        .contains("qbridge_account_quota_exhausted{account=\"" + idB + "\"} 1.0")
        .containsPattern("qbridge_account_quota_reset_timestamp_seconds\\{account=\"" + idA + "\"} 1\\.\\d+E9");
    poll(() -> gw.get("/metrics").body().toString().contains("qbridge_accounts{state=\"quota_exhausted\"} 1.0"), "the census");

    assertThat(gw.request(HttpMethod.DELETE, "/v2/accounts/" + idB, null, null).status()).isEqualTo(200);
    assertThat(gw.get("/metrics").body().toString()).doesNotContain(idB).contains(idA);
  }

  @Test
  void quotaErrorReadsTheUsageAgainAtOnce(Vertx vertx) {
    start(vertx, Map.of());
    // the monthly quota error comes as 400, 402 or 429: each parks its account and reads its usage again
    List<Credentials> accounts = List.of(account(null, null), account(null, null), account(null, null));
    awaitFetched(accounts.toArray(Credentials[]::new));
    int[] statuses = {400, 402, 429};
    Map<String, Long> before = accounts.stream().collect(Collectors.toMap(Credentials::clientId, this::usageCalls));
    for (int i = 0; i < 3; i++) {
      gw.emulator.scenarioForClient(accounts.get(i).clientId(), io.qbridge.emulator.Scenario.monthlyQuota(statuses[i]));
    }
    gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)); // fails over through all three (MAX_ATTEMPTS 3)
    for (Credentials c : accounts) {
      poll(() -> usageCalls(c) > before.get(c.clientId()), "usage read after the quota error of " + c.clientId());
      assertThat(gw.account(c.clientId()).getString("state")).isEqualTo("parked");
    }
  }


  // ------------------------------------------------------------------ sticky conversations

  @Test
  void aConversationStaysOnItsAccountForEverySource(Vertx vertx) {
    start(vertx, Map.of());
    for (int i = 0; i < 4; i++) account(null, null);
    JsonObject chat = new JsonObject().put("model", "claude-sonnet-4.5")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    List<JsonObject[]> cases = List.of(
        new JsonObject[] {claude("claude-sonnet-4.5", "session-claude-1")},
        new JsonObject[] {chat.copy().put("prompt_cache_key", "codex-session-1")},
        new JsonObject[] {chat.copy().put("user", "alice")});
    String[] paths = {"/v1/messages", "/v1/chat/completions", "/v1/chat/completions"};
    for (int c = 0; c < cases.size(); c++) {
      int before = gw.emulator.chatRequests().size();
      for (int i = 0; i < 6; i++) assertThat(gw.postJson(paths[c], cases.get(c)[0]).status()).isEqualTo(200);
      assertThat(clientsServing(before)).as("sticky for %s", paths[c]).hasSize(1);
    }
    int before = gw.emulator.chatRequests().size();
    JsonObject responses = new JsonObject().put("model", "claude-sonnet-4.5").put("input", "hi").put("store", false)
        .put("prompt_cache_key", "codex-responses-1");
    for (int i = 0; i < 6; i++) assertThat(gw.postJson("/v1/responses", responses).status()).isEqualTo(200);
    assertThat(clientsServing(before)).as("sticky for Responses").hasSize(1);
  }

  @Test
  void aResponsesChainStaysOnTheAccountThatMadeEachResponse(Vertx vertx) {
    start(vertx, Map.of());
    for (int i = 0; i < 4; i++) account(null, null);
    String previous = null;
    for (int turn = 0; turn < 6; turn++) {
      JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("input", "turn " + turn);
      if (previous != null) body.put("previous_response_id", previous);
      TestGateway.Response r = gw.postJson("/v1/responses", body);
      assertThat(r.status()).isEqualTo(200);
      previous = r.json().getString("id");
    }
    assertThat(clientsServing(0)).as("every turn of the chain on one account").hasSize(1);

    // a response that is not stored cannot be continued: its id binds nothing
    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 12; i++) {
      JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("input", "hi").put("store", false);
      assertThat(gw.postJson("/v1/responses", body).status()).isEqualTo(200);
    }
    assertThat(clientsServing(before)).hasSizeGreaterThan(1);
  }

  @Test
  void quotasDrainEvenly(Vertx vertx) {
    start(vertx, Map.of());
    long reset = Instant.now().plusSeconds(86_400).getEpochSecond();
    Credentials most = account(null, UsageAnswer.credits(10, 100, reset));
    Credentials half = account(null, UsageAnswer.credits(50, 100, reset));
    Credentials least = account(null, UsageAnswer.credits(90, 100, reset));
    awaitFetched(most, half, least);
    for (int i = 0; i < 150; i++) assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    Map<String, Long> served = gw.emulator.chatRequests().stream().collect(Collectors.groupingBy(this::clientOf, Collectors.counting()));
    long m = served.getOrDefault(most.clientId(), 0L);
    long h = served.getOrDefault(half.clientId(), 0L);
    long l = served.getOrDefault(least.clientId(), 0L);
    // weights 0.9 : 0.5 : 0.1 (remaining fraction): about 90, 50 and 10 requests, each account at the same relative rate
    assertThat(m).as("most remaining").isGreaterThan(h);
    assertThat(h).as("half remaining").isGreaterThan(l);
    assertThat(l).as("nearly drained, still in play").isPositive();
    assertThat(m).isBetween(65L, 115L);
  }

  @Test
  void maxTokensAboveTheModelsOutputLimitIsClampedAndContextUsageUsesTheModelsWindow(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(CatalogAnswer.of(RuntimeService.model("claude-sonnet-4.5", "S", 200_000, 3),
        RuntimeService.model("claude-sonnet-4.6", "S6", 1_000_000, 64_000)), null);
    awaitFetched(a);
    poll(() -> gw.request(HttpMethod.GET, "/v1/models", null, null).body().toString().contains("\"max_output_tokens\":3"), "union");
    gw.emulator.setDefaultScenario(io.qbridge.emulator.Scenario.text("one two three four five six seven eight nine ten"));

    TestGateway.Response r = gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null).put("max_tokens", 1000));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(r.json().getJsonObject("usage").getInteger("output_tokens")).isEqualTo(3);
    TestGateway.Response within = gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null).put("max_tokens", 2));
    assertThat(within.json().getJsonObject("usage").getInteger("output_tokens")).isEqualTo(2);

    // Amazon Q's contextUsagePercentage is a share of the model's own window (10 % of 1M, not of 200k)
    gw.emulator.enqueue(io.qbridge.emulator.Scenario.builder().text("ok").contextUsage(10.0).build());
    TestGateway.Response wide = gw.postJson("/v1/messages", claude("claude-sonnet-4.6", null));
    assertThat(wide.json().getJsonObject("usage").getInteger("input_tokens")).isEqualTo(100_000);
  }

  @Test
  void aDisabledBoundAccountIsReplacedAndTheKeyRebound(Vertx vertx) {
    start(vertx, Map.of());
    for (int i = 0; i < 3; i++) account(null, null);
    assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", "session-x")).status()).isEqualTo(200);
    String bound = clientOf(gw.emulator.chatRequests().get(0));
    String id = gw.account(bound).getString("id");
    assertThat(gw.request(HttpMethod.PATCH, "/v2/accounts/" + id, new JsonObject().put("enabled", false).toBuffer(),
        "application/json").status()).isEqualTo(200);

    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 5; i++) assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", "session-x")).status()).isEqualTo(200);
    Set<String> now = clientsServing(before);
    assertThat(now).hasSize(1).doesNotContain(bound);
  }

  @Test
  void aBoundAccountAtItsCapIsReplaced(Vertx vertx) {
    start(vertx, Map.of("ACCOUNT_MAX_CONCURRENCY", "1"));
    for (int i = 0; i < 2; i++) account(null, null);
    gw.emulator.setDefaultScenario(io.qbridge.emulator.Scenario.delayBeforeHeaders(300, io.qbridge.emulator.Scenario.defaultText()));
    List<TestGateway.Response> rs = gw.postConcurrently("/v1/messages", claude("claude-sonnet-4.5", "session-y"), 2);
    assertThat(rs).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(clientsServing(0)).hasSize(2);
  }
}
