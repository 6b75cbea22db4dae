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

    // the period turns over: past the reset the account is eligible again by itself; its next usage
    // read (on a later tick, once its token was renewed) shows the new period's room
    gw.emulator.runtime().usageFor(spent.clientId(), UsageAnswer.credits(0, 50, reset.plusSeconds(30L * 86_400).getEpochSecond()));
    time.advance(7201_000);
    poll(() -> {
      time.advance(60_000);
      return gw.account(spent.clientId()).getJsonObject("other").getJsonObject("usage").getDouble("used") == 0.0;
    }, "the new period's usage");
    int before = gw.emulator.chatRequests().size();
    for (int i = 0; i < 12 && !clientsServing(before).contains(spent.clientId()); i++) {
      assertThat(gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null)).status()).isEqualTo(200);
    }
    assertThat(clientsServing(before)).contains(spent.clientId());
  }

  @Test
  void quotaErrorReadsTheUsageAgainAtOnce(Vertx vertx) {
    start(vertx, Map.of());
    Credentials a = account(null, null);
    awaitFetched(a);
    long usageCalls = gw.emulator.runtime().calls(RuntimeService.GET_USAGE_LIMITS, a.clientId());
    gw.emulator.scenarioForClient(a.clientId(), io.qbridge.emulator.Scenario.monthlyQuota(402));
    gw.postJson("/v1/messages", claude("claude-sonnet-4.5", null));
    poll(() -> gw.emulator.runtime().calls(RuntimeService.GET_USAGE_LIMITS, a.clientId()) > usageCalls, "usage read after 402");
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
