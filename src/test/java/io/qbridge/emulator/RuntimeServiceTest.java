package io.qbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.RuntimeService.CatalogAnswer;
import io.qbridge.emulator.RuntimeService.ErrorAnswer;
import io.qbridge.emulator.RuntimeService.UsageAnswer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The emulator's ListAvailableModels / GetUsageLimits (Binding A) and its strict model mode, on the wire. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class RuntimeServiceTest {

  private Vertx vertx;
  private AmazonQEmulator emu;
  private HttpClientAgent client;
  private Credentials acct;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    emu = AmazonQEmulator.start(vertx).await();
    client = vertx.createHttpClient();
    acct = emu.oidc().newAccount();
  }

  @AfterEach
  void tearDown() {
    client.close().await();
    emu.close().await();
  }

  @Test
  void defaultCatalogInOnePageWithDefaultModel() {
    Reply r = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "KIRO_CLI"));

    assertThat(r.status).isEqualTo(200);
    assertThat(r.contentType).isEqualTo("application/x-amz-json-1.0");
    JsonArray models = r.json().getJsonArray("models");
    assertThat(models).hasSize(5);
    assertThat(models.getJsonObject(0).getString("modelId")).isEqualTo("claude-sonnet-4.5");
    assertThat(models.getJsonObject(0).getJsonObject("tokenLimits").getInteger("maxInputTokens")).isEqualTo(200_000);
    assertThat(r.json().getJsonObject("defaultModel").getString("modelId")).isEqualTo("claude-sonnet-4.5");
    assertThat(r.json().containsKey("nextToken")).isFalse();
    assertThat(emu.chatRequests()).isEmpty();
    assertThat(emu.runtime().calls(RuntimeService.LIST_AVAILABLE_MODELS, acct.clientId())).isEqualTo(1);
  }

  @Test
  void perAccountCatalogSurvivesTokenRefreshAndOriginMayComeFromTheQuery() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1_000_000, 64_000, "claude-sonnet-4.6", "deepseek-3.2"));
    Credentials other = emu.oidc().newAccount();

    Reply mine = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "?origin=KIRO_CLI", new JsonObject());
    Reply theirs = call(RuntimeService.LIST_AVAILABLE_MODELS, other.accessToken(), "?origin=KIRO_CLI", new JsonObject());

    assertThat(ids(mine)).containsExactly("claude-sonnet-4.6", "deepseek-3.2");
    assertThat(ids(theirs)).hasSize(5);
  }

  @Test
  void missingOriginIsAValidationError() {
    Reply r = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject());
    assertThat(r.status).isEqualTo(400);
    assertThat(r.errorType).isEqualTo("ValidationException");
  }

  @Test
  void pagesFollowTheToken() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "a-1", "b-1", "c-1").paged(2, CatalogAnswer.Paging.NORMAL));

    Reply first = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "KIRO_CLI"));
    String token = first.json().getString("nextToken");
    Reply second = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "",
        new JsonObject().put("origin", "KIRO_CLI").put("nextToken", token));

    assertThat(ids(first)).containsExactly("a-1", "b-1");
    assertThat(token).isNotEmpty();
    assertThat(ids(second)).containsExactly("c-1");
    assertThat(second.json().containsKey("nextToken")).isFalse();
  }

  @Test
  void quirkyPagingRepeatsOrEmptiesTheToken() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1, 1, "a-1", "b-1", "c-1").paged(1, CatalogAnswer.Paging.REPEAT_TOKEN));
    Reply first = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "X"));
    String token = first.json().getString("nextToken");
    Reply again = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "X").put("nextToken", token));
    assertThat(again.json().getString("nextToken")).isEqualTo(token);

    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1, 1, "a-1").paged(5, CatalogAnswer.Paging.EMPTY_TOKEN));
    assertThat(call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "X"))
        .json().getString("nextToken")).isEmpty();
  }

  @Test
  void errorsOfTheOperations() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.error(ErrorAnswer.featureNotSupported()));
    Reply fns = call(RuntimeService.LIST_AVAILABLE_MODELS, acct.accessToken(), "", new JsonObject().put("origin", "X"));
    assertThat(fns.status).isEqualTo(403);
    assertThat(fns.errorType).isEqualTo("AccessDeniedException");
    assertThat(fns.json().getString("reason")).isEqualTo("FEATURE_NOT_SUPPORTED");

    emu.runtime().usageFor(acct.clientId(), UsageAnswer.error(ErrorAnswer.internal500()));
    assertThat(call(RuntimeService.GET_USAGE_LIMITS, acct.accessToken(), "", new JsonObject()).status).isEqualTo(500);

    Reply unknown = call("AmazonCodeWhispererService.ListAvailableCustomizations", acct.accessToken(), "", new JsonObject());
    assertThat(unknown.status).isEqualTo(400);
    assertThat(unknown.errorType).isEqualTo("UnknownOperationException");

    emu.oidc().expireAccessToken(acct.accessToken());
    Reply expired = call(RuntimeService.GET_USAGE_LIMITS, acct.accessToken(), "", new JsonObject());
    assertThat(expired.status).isEqualTo(403);
    assertThat(expired.json().getString("message")).isEqualTo(Scenario.BEARER_INVALID_MESSAGE);
  }

  @Test
  void usageSampleIsSentVerbatim() {
    emu.runtime().usageFor(acct.clientId(), UsageAnswer.json(UsageSamples.EXPONENT));
    Reply r = call(RuntimeService.GET_USAGE_LIMITS, acct.accessToken(), "", new JsonObject().put("origin", "KIRO_CLI"));
    assertThat(r.status).isEqualTo(200);
    assertThat(r.body).contains("\"nextDateReset\":1.78027200E9");
    assertThat(new JsonObject(UsageSamples.FREE).getJsonObject("subscriptionInfo").getString("subscriptionTitle")).isEqualTo("KIRO FREE");
  }

  @Test
  void strictModeRefusesModelsOutsideTheAccountsCatalog() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(200_000, 64_000, "claude-sonnet-4.5"));
    emu.runtime().setStrictModels(true);

    Reply refused = chat(acct.accessToken(), "claude-opus-4.5");
    Reply accepted = chat(acct.accessToken(), "claude-sonnet-4.5");
    Reply noModel = chat(acct.accessToken(), null);

    assertThat(refused.status).isEqualTo(400);
    assertThat(refused.errorType).isEqualTo("ValidationException");
    assertThat(refused.json().getString("reason")).isEqualTo("INVALID_MODEL_ID");
    assertThat(accepted.status).isEqualTo(200);
    assertThat(noModel.status).isEqualTo(200);

    emu.runtime().setStrictModels(false);
    assertThat(chat(acct.accessToken(), "claude-opus-4.5").status).isEqualTo(200);
  }

  // ------------------------------------------------------------------ helpers

  private static java.util.List<String> ids(Reply r) {
    return r.json().getJsonArray("models").stream().map(o -> ((JsonObject) o).getString("modelId")).toList();
  }

  private Reply chat(String token, String modelId) {
    JsonObject uim = new JsonObject().put("content", "hi");
    if (modelId != null) uim.put("modelId", modelId);
    JsonObject body = new JsonObject().put("conversationState", new JsonObject().put("chatTriggerType", "MANUAL")
        .put("currentMessage", new JsonObject().put("userInputMessage", uim)));
    return send(AmazonQEmulator.TARGET, token, "", body);
  }

  private Reply call(String target, String token, String query, JsonObject body) {
    return send(target, token, query, body);
  }

  private Reply send(String target, String token, String query, JsonObject body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(emu.chatEndpoint() + query)
        .putHeader("content-type", "application/x-amz-json-1.0").putHeader("x-amz-target", target)
        .putHeader("authorization", "Bearer " + token);
    Promise<Reply> p = Promise.promise();
    vertx.runOnContext(v -> client.request(o).compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("content-type"),
            resp.getHeader("x-amzn-errortype"), b.toString())))
        .onComplete(p));
    return p.future().await();
  }

  private record Reply(int status, String contentType, String errorType, String body) {
    JsonObject json() { return new JsonObject(body); }
  }

}
