package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.catalog.ModelCatalog;
import io.qbridge.catalog.ModelCatalogParser;
import io.qbridge.catalog.ModelInfo;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.RuntimeService;
import io.qbridge.emulator.RuntimeService.CatalogAnswer;
import io.qbridge.emulator.RuntimeService.ErrorAnswer;
import io.qbridge.emulator.RuntimeService.UsageAnswer;
import io.qbridge.emulator.UsageSamples;
import io.qbridge.quota.UsageLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** ListAvailableModels / GetUsageLimits through {@link RuntimeClient} against the emulator. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RuntimeClientTest {

  private Vertx vertx;
  private AmazonQEmulator emu;
  private HttpClientAgent http;
  private RuntimeClient client;
  private Credentials acct;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    emu = AmazonQEmulator.start(vertx).await();
    http = vertx.createHttpClient();
    client = new RuntimeClient(http, emu.chatEndpoint(), 2000, 5000, UpstreamTemplate.load("templates"));
    acct = emu.oidc().newAccount();
  }

  @AfterEach
  void tearDown() {
    http.close().await();
    emu.close().await();
  }

  @Test
  void sendsBindingAWithTheChatOriginAndTemplateHeaders() {
    ModelCatalog catalog = await(() -> client.listAvailableModels(acct.accessToken()));

    assertThat(catalog.ids()).containsExactly("claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5", "claude-opus-4.5", "claude-3.7-sonnet");
    assertThat(catalog.get("claude-sonnet-4.5")).isEqualTo(new ModelInfo("claude-sonnet-4.5", "Claude Sonnet 4.5", 200_000, 64_000));
    assertThat(catalog.defaultModelId()).isEqualTo("claude-sonnet-4.5");
    RecordedRequest r = emu.runtime().requests().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.header("x-amz-target")).isEqualTo("AmazonCodeWhispererService.ListAvailableModels");
    assertThat(r.header("content-type")).isEqualTo("application/x-amz-json-1.0");
    assertThat(r.header("user-agent")).contains("api/codewhispererruntime/").doesNotContain("codewhispererstreaming");
    assertThat(r.header("x-amzn-codewhisperer-optout")).isEqualTo("false");
    assertThat(r.header("amz-sdk-invocation-id")).isNotBlank();
    assertThat(r.token()).isEqualTo(acct.accessToken());
    assertThat(r.body().encode()).isEqualTo("{\"origin\":\"KIRO_CLI\"}");
    assertThat(r.path()).isEqualTo("/");
    assertThat(emu.chatRequests()).isEmpty();
  }

  @Test
  void followsPagesWithTheTokenInBodyAndQuery() {
    emu.runtime().catalogFor(acct.clientId(),
        CatalogAnswer.ofIds(1_000_000, 64_000, "a-1", "b-1", "c-1", "d-1", "e-1").paged(2, CatalogAnswer.Paging.NORMAL));

    ModelCatalog catalog = await(() -> client.listAvailableModels(acct.accessToken()));

    assertThat(catalog.ids()).containsExactly("a-1", "b-1", "c-1", "d-1", "e-1");
    List<RecordedRequest> reqs = emu.runtime().requests();
    assertThat(reqs).hasSize(3);
    String token = reqs.get(1).body().getString("nextToken");
    assertThat(token).isNotEmpty();
    assertThat(reqs.get(0).body().containsKey("nextToken")).isFalse();
  }

  @Test
  void stopsOnRepeatedOrEmptyTokensAndBoundsAnEndlessCatalog() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1, 1, "a-1", "b-1", "c-1").paged(1, CatalogAnswer.Paging.REPEAT_TOKEN));
    assertThat(await(() -> client.listAvailableModels(acct.accessToken())).ids()).containsExactly("a-1", "b-1");
    assertThat(emu.runtime().requests()).hasSize(2);

    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1, 1, "a-1", "b-1").paged(1, CatalogAnswer.Paging.EMPTY_TOKEN));
    assertThat(await(() -> client.listAvailableModels(acct.accessToken())).ids()).containsExactly("a-1", "b-1");

    String[] many = new String[30];
    for (int i = 0; i < many.length; i++) many[i] = "m-" + i;
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.ofIds(1, 1, many).paged(1, CatalogAnswer.Paging.ENDLESS));
    int before = emu.runtime().requests().size();
    assertThat(await(() -> client.listAvailableModels(acct.accessToken())).ids()).hasSize(ModelCatalogParser.MAX_PAGES);
    assertThat(emu.runtime().requests().size() - before).isEqualTo(ModelCatalogParser.MAX_PAGES);
  }

  @Test
  void failuresAreCategorised() {
    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.error(ErrorAnswer.featureNotSupported()));
    assertThat(failure(() -> client.listAvailableModels(acct.accessToken())).failure()).isEqualTo(RuntimeCallError.Failure.NOT_SUPPORTED);

    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.error(ErrorAnswer.unknownOperation()));
    assertThat(failure(() -> client.listAvailableModels(acct.accessToken())).failure()).isEqualTo(RuntimeCallError.Failure.NOT_SUPPORTED);

    emu.runtime().catalogFor(acct.clientId(), CatalogAnswer.error(ErrorAnswer.internal500()));
    RuntimeCallError e500 = failure(() -> client.listAvailableModels(acct.accessToken()));
    assertThat(e500.failure()).isEqualTo(RuntimeCallError.Failure.SERVER_ERROR);
    assertThat(e500.summary()).isEqualTo("server_error (HTTP 500)");

    emu.runtime().usageFor(acct.clientId(), UsageAnswer.error(ErrorAnswer.throttled429()));
    assertThat(failure(() -> client.getUsageLimits(acct.accessToken())).failure()).isEqualTo(RuntimeCallError.Failure.THROTTLED);

    emu.runtime().usageFor(acct.clientId(), UsageAnswer.json("[1,2]"));
    assertThat(failure(() -> client.getUsageLimits(acct.accessToken())).failure()).isEqualTo(RuntimeCallError.Failure.BAD_RESPONSE);

    emu.oidc().expireAccessToken(acct.accessToken());
    assertThat(failure(() -> client.getUsageLimits(acct.accessToken())).failure()).isEqualTo(RuntimeCallError.Failure.TOKEN_INVALID);
  }

  @Test
  void unreachableHost() {
    RuntimeClient nowhere = new RuntimeClient(http, "http://127.0.0.1:1/", 500, 1000, UpstreamTemplate.load("templates"));
    assertThat(failure(() -> nowhere.getUsageLimits("t")).failure()).isEqualTo(RuntimeCallError.Failure.UNREACHABLE);
  }

  @Test
  void usageSamples() {
    emu.runtime().usageFor(acct.clientId(), UsageAnswer.json(UsageSamples.EXPONENT));
    UsageLimits u = await(() -> client.getUsageLimits(acct.accessToken()));
    assertThat(u.used()).isEqualTo(12.35);
    assertThat(u.limit()).isEqualTo(50);
    assertThat(u.nextReset()).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
    RecordedRequest r = emu.runtime().requests().get(0);
    assertThat(r.header("x-amz-target")).isEqualTo(RuntimeService.GET_USAGE_LIMITS);
    assertThat(r.body().encode()).isEqualTo("{\"origin\":\"KIRO_CLI\"}");
  }

  private <T> T await(Supplier<Future<T>> call) {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> call.get().onComplete(p));
    return p.future().await();
  }

  private <T> RuntimeCallError failure(Supplier<Future<T>> call) {
    Promise<Throwable> p = Promise.promise();
    vertx.runOnContext(v -> call.get().onComplete(ar -> p.complete(ar.cause())));
    Throwable t = p.future().await();
    assertThat(t).isInstanceOf(RuntimeCallError.class);
    return (RuntimeCallError) t;
  }
}
