package io.qbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class AmazonQEmulatorTest {

  private static final String CHAT_BODY = new JsonObject()
      .put("conversationState", new JsonObject()
          .put("conversationId", "conv-42")
          .put("currentMessage", new JsonObject().put("userInputMessage", new JsonObject().put("content", "hi")))
          .put("chatTriggerType", "MANUAL"))
      .encode();

  private Vertx vertx;
  private AmazonQEmulator emu;
  private HttpClient client;
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

  // ================================================================== chat: success streams

  @Test
  void defaultScenarioStreamsValidFramesSplitAtRandomBoundaries() {
    Reply r = chat(acct.accessToken()).await();

    assertThat(r.status).isEqualTo(200);
    assertThat(r.headers.get("content-type")).isEqualTo("application/vnd.amazon.eventstream");
    List<Frame> frames = Frame.parseAll(r.body);
    assertThat(frames.get(0).eventType()).isEqualTo("initial-response");
    assertThat(frames.get(0).json().getString("conversationId")).isEqualTo("conv-42");
    assertThat(frames.get(0).headers).containsEntry(":message-type", "event")
        .containsEntry(":content-type", "application/json");
    assertThat(text(frames)).isEqualTo(Scenario.DEFAULT_TEXT);

    // many chunks, chunk boundaries inside frames and frame boundaries inside chunks
    assertThat(r.chunks.size()).isGreaterThan(frames.size());
    List<Integer> frameEnds = Frame.ends(r.body);
    List<Integer> chunkEnds = new ArrayList<>();
    int pos = 0;
    for (Buffer c : r.chunks) {
      chunkEnds.add(pos += c.length());
    }
    assertThat(chunkEnds).anyMatch(e -> !frameEnds.contains(e));
    int start = 0;
    boolean frameBoundaryInsideChunk = false;
    for (int end : chunkEnds) {
      final int s = start;
      frameBoundaryInsideChunk |= frameEnds.stream().anyMatch(fe -> fe > s && fe < end);
      start = end;
    }
    assertThat(frameBoundaryInsideChunk).isTrue();
  }

  @Test
  void textToolUseUsageAndDuplicatesInOrder() {
    emu.enqueue(Scenario.builder()
        .text("<thin", "king>plan</thinking>", "Checking.")
        .toolUse("tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}")
        .duplicateLast()
        .toolUse("tooluse_2", "get_time")
        .contextUsage(12.5)
        .metadata(100, 20)
        .build());

    List<Frame> frames = Frame.parseAll(chat(acct.accessToken()).await().body);

    assertThat(frames).extracting(Frame::eventType).containsExactly("initial-response",
        "assistantResponseEvent", "assistantResponseEvent", "assistantResponseEvent",
        "toolUseEvent", "toolUseEvent", "toolUseEvent", "toolUseEvent", "toolUseEvent",
        "toolUseEvent", "toolUseEvent", "contextUsageEvent", "metadataEvent");
    assertThat(text(frames)).isEqualTo("<thinking>plan</thinking>Checking.");
    assertThat(frames.get(4).payload).isEqualTo("{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\"}");
    assertThat(frames.get(5).json().getString("input")).isEqualTo("{\"city\":");
    assertThat(frames.get(6).json().getString("input")).isEqualTo("\"Paris\"}");
    assertThat(frames.get(7).payload).isEqualTo("{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\",\"stop\":true}");
    assertThat(frames.get(8).payload).isEqualTo(frames.get(7).payload);
    assertThat(frames.get(9).json().getString("toolUseId")).isEqualTo("tooluse_2");
    assertThat(frames.get(11).payload).isEqualTo("{\"contextUsagePercentage\":12.5}");
    assertThat(frames.get(12).json().getJsonObject("tokenUsage").getInteger("totalTokens")).isEqualTo(120);
  }

  @Test
  void exceptionFrameMidStreamThenEof() {
    emu.enqueue(Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}"));

    Reply r = chat(acct.accessToken()).await();

    List<Frame> frames = Frame.parseAll(r.body);
    assertThat(frames).hasSize(4);
    Frame ex = frames.get(3);
    assertThat(ex.headers).containsEntry(":message-type", "exception")
        .containsEntry(":exception-type", "ThrottlingException");
    assertThat(ex.payload).isEqualTo("{\"message\":\"Too many requests\"}");
    assertThat(r.failure).isNull();
  }

  @Test
  void rawBytesAndCutWithoutSplitting() {
    Buffer corrupt = io.qbridge.eventstream.EventStreamEncoder.event("assistantResponseEvent", "{\"content\":\"x\"}");
    corrupt.setByte(corrupt.length() - 1, (byte) (corrupt.getByte(corrupt.length() - 1) ^ 0xFF));
    emu.enqueue(Scenario.builder().text("ok").raw(corrupt).build(),
        Scenario.builder().noSplit().text("a").cutMidFrame().build());

    Reply r = chat(acct.accessToken()).await();
    assertThat(r.body.getBuffer(r.body.length() - corrupt.length(), r.body.length())).isEqualTo(corrupt);

    Reply cut = chat(acct.accessToken()).await();
    assertThat(cut.failure).isNotNull();
    assertThat(text(Frame.parseAll(cut.body))).isEqualTo("a");
    assertThat(cut.body.length()).isGreaterThan(Frame.ends(cut.body).get(1));
  }

  @Test
  void eventDelaysAndNoSplitWriteFramesWhole() {
    emu.enqueue(Scenario.builder().noSplit().eventDelayMs(150).text("a", "b").build());
    long t0 = System.nanoTime();

    Reply r = chat(acct.accessToken()).await();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(300);
    assertThat(text(Frame.parseAll(r.body))).isEqualTo("ab");
    // with no split and a pause between frames each frame arrives in its own chunk
    assertThat(r.chunks).hasSize(3);
  }

  @Test
  void cutMidFrameClosesConnectionAfterHalfAFrame() {
    emu.enqueue(Scenario.cutMidFrame(2));

    Reply r = chat(acct.accessToken()).await();

    assertThat(r.status).isEqualTo(200);
    assertThat(r.failure).isNotNull();
    List<Integer> ends = Frame.ends(r.body);
    assertThat(ends).hasSize(3); // initial-response + 2 text events
    assertThat(r.body.length()).isGreaterThan(ends.get(2)); // plus a partial frame
    assertThat(emu.streamsClosedByPeer()).isZero();
  }

  @Test
  void delayAndHangBeforeHeaders() {
    emu.enqueue(Scenario.delayBeforeHeaders(200, Scenario.text("late")), Scenario.hangBeforeHeaders(100));
    long t0 = System.nanoTime();

    Reply delayed = chat(acct.accessToken()).await();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(200);
    assertThat(text(Frame.parseAll(delayed.body))).isEqualTo("late");

    Reply hung = chat(acct.accessToken()).await();
    assertThat(hung.status).isZero();
    assertThat(hung.failure).isNotNull();
    assertThat(emu.activeStreams()).isZero();
    assertThat(emu.streamsClosedByPeer()).isZero();
  }

  @Test
  void clientTimeoutWhileEmulatorHangsForeverCountsAsPeerClose() throws Exception {
    emu.enqueue(Scenario.hangBeforeHeaders(-1));
    Future<Void> closed = emu.nextStreamClosedByPeer();
    Promise<Throwable> failed = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(emu.port()).setURI("/").setHeaders(chatHeaders(acct.accessToken()))
            .setIdleTimeout(200))
        .compose(req -> req.send(CHAT_BODY))
        .onComplete(ar -> failed.complete(ar.cause())));

    assertThat(failed.future().await()).isNotNull();
    closed.await(5, TimeUnit.SECONDS);
    assertThat(emu.activeStreams()).isZero();
  }

  // ================================================================== chat: errors

  @Test
  void httpErrorScenariosReturnExactBodiesAndHeaders() {
    UUID user = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
    emu.enqueue(Scenario.bearerInvalid403(), Scenario.suspended403(user), Scenario.throttled429(7),
        Scenario.suspicious429(), Scenario.monthlyQuota(402), Scenario.capacity429(), Scenario.internal500(),
        Scenario.contentTooLong400(), Scenario.malformed400(), Scenario.throttled429());

    assertError(chat(acct.accessToken()).await(), 403, "AccessDeniedException",
        "{\"message\":\"The bearer token included in the request is invalid.\",\"reason\":null}");
    Reply suspended = chat(acct.accessToken()).await();
    assertError(suspended, 403, "AccessDeniedException", suspended.body.toString());
    JsonObject s = new JsonObject(suspended.body);
    assertThat(s.getString("reason")).isEqualTo("TEMPORARILY_SUSPENDED");
    assertThat(s.getString("message")).startsWith("Your User ID (" + user + ") temporarily is suspended.");
    Reply throttled = chat(acct.accessToken()).await();
    assertError(throttled, 429, "ThrottlingException",
        "{\"message\":\"Too many requests, please wait before trying again.\",\"reason\":null}");
    assertThat(throttled.headers.get("retry-after")).isEqualTo("7");
    assertError(chat(acct.accessToken()).await(), 429, "ThrottlingException",
        Scenario.body(Scenario.SUSPICIOUS_MESSAGE, null));
    assertThat(Scenario.SUSPICIOUS_MESSAGE).startsWith("Due to suspicious activity, we are imposing temporary limits");
    assertError(chat(acct.accessToken()).await(), 402, "ThrottlingException",
        "{\"message\":\"Maximum com.amazon.aws.codewhisperer.streaming.GenerateAssistantResponse reached for this month.\","
            + "\"reason\":\"MONTHLY_REQUEST_COUNT\"}");
    assertThat(chat(acct.accessToken()).await().body.toString()).contains("\"reason\":\"INSUFFICIENT_MODEL_CAPACITY\"");
    assertError(chat(acct.accessToken()).await(), 500, "InternalServerException",
        "{\"message\":\"Encountered unexpectedly high load when processing the request, please try again.\",\"reason\":null}");
    assertError(chat(acct.accessToken()).await(), 400, "ValidationException",
        "{\"message\":\"Input is too long.\",\"reason\":\"CONTENT_LENGTH_EXCEEDS_THRESHOLD\"}");
    assertError(chat(acct.accessToken()).await(), 400, "ValidationException",
        "{\"message\":\"Improperly formed request.\",\"reason\":null}");
    assertThat(chat(acct.accessToken()).await().headers.get("retry-after")).isNull();
    assertThat(emu.queuedScenarios()).isZero();
  }

  @Test
  void requestValidationAndTokenChecks() {
    emu.enqueue(Scenario.text("queued"));
    MultiMap ok = chatHeaders(acct.accessToken());

    Reply wrongType = post("/", MultiMap.caseInsensitiveMultiMap().addAll(ok).set("content-type", "application/json"),
        CHAT_BODY).await();
    assertThat(wrongType.status).isEqualTo(400);
    assertThat(wrongType.headers.get("x-amzn-errortype")).isEqualTo("SerializationException");
    Reply wrongTarget = post("/", MultiMap.caseInsensitiveMultiMap().addAll(ok).set("x-amz-target", "Nope.Op"),
        CHAT_BODY).await();
    assertThat(wrongTarget.status).isEqualTo(400);
    assertThat(wrongTarget.headers.get("x-amzn-errortype")).isEqualTo("UnknownOperationException");
    assertError(post("/", ok, "{not json").await(), 400, "ValidationException",
        "{\"message\":\"Improperly formed request.\",\"reason\":null}");

    String bearerInvalid = "{\"message\":\"The bearer token included in the request is invalid.\",\"reason\":null}";
    assertError(chat(null).await(), 403, "AccessDeniedException", bearerInvalid);
    assertError(chat("aoaUnknown").await(), 403, "AccessDeniedException", bearerInvalid);
    Credentials other = emu.oidc().newAccount();
    emu.oidc().expireAccessToken(other.accessToken());
    assertError(chat(other.accessToken()).await(), 403, "AccessDeniedException", bearerInvalid);
    assertThat(emu.queuedScenarios()).isEqualTo(1); // rejected requests consume nothing

    assertThat(text(Frame.parseAll(chat(acct.accessToken()).await().body))).isEqualTo("queued");
    emu.setValidateTokens(false);
    assertThat(chat("whatever").await().status).isEqualTo(200);

    List<RecordedRequest> recs = emu.chatRequests();
    assertThat(recs).hasSize(8);
    RecordedRequest first = recs.get(6);
    assertThat(first.method()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/");
    assertThat(first.token()).isEqualTo(acct.accessToken());
    assertThat(first.header("X-Amz-Target")).isEqualTo(AmazonQEmulator.TARGET);
    assertThat(first.body().getJsonObject("conversationState").getString("conversationId")).isEqualTo("conv-42");
    assertThat(recs.get(2).body()).isNull();
    assertThat(recs.get(2).rawBody()).isEqualTo("{not json");
  }

  @Test
  void stickyScenariosPerTokenAndPerClient() {
    Credentials b = emu.oidc().newAccount();
    emu.scenarioForToken(acct.accessToken(), Scenario.suspended403());
    emu.scenarioForToken("aoaScriptedOnly", Scenario.text("scripted"));
    emu.scenarioForClient(b.clientId(), Scenario.throttled429());
    emu.enqueue(Scenario.text("queued"));

    assertThat(chat(acct.accessToken()).await().status).isEqualTo(403);
    assertThat(chat(acct.accessToken()).await().status).isEqualTo(403);
    assertThat(text(Frame.parseAll(chat("aoaScriptedOnly").await().body))).isEqualTo("scripted");
    assertThat(chat(b.accessToken()).await().status).isEqualTo(429);
    Reply refreshed = refresh(b.clientId(), b.clientSecret(), b.refreshToken()).await();
    assertThat(chat(new JsonObject(refreshed.body).getString("accessToken")).await().status).isEqualTo(429);
    assertThat(emu.queuedScenarios()).isEqualTo(1);

    emu.scenarioForToken(acct.accessToken(), null);
    assertThat(text(Frame.parseAll(chat(acct.accessToken()).await().body))).isEqualTo("queued");
  }

  // ================================================================== chat: peer close and back-pressure

  @Test
  void peerCloseDuringSilenceIsDetectedAndTimersCancelled() throws Exception {
    emu.enqueue(Scenario.builder().text("first").silence(10_000).text("never").build());
    Future<Void> closed = emu.nextStreamClosedByPeer();

    HttpClientResponse resp = openStream(acct.accessToken());
    Promise<Void> gotData = Promise.promise();
    resp.handler(b -> gotData.tryComplete());
    resp.resume();
    gotData.future().await(5, TimeUnit.SECONDS);
    assertThat(emu.activeStreams()).isEqualTo(1);
    resp.request().connection().close();

    closed.await(5, TimeUnit.SECONDS);
    assertThat(emu.streamsClosedByPeer()).isEqualTo(1);
    assertThat(emu.activeStreams()).isZero();
  }

  @Test
  void endlessStreamStopsWritingWhileClientIsPaused() throws Exception {
    emu.enqueue(Scenario.endless(1000));
    AtomicLong received = new AtomicLong();
    // a small receive buffer (no TCP autotuning) so that the pipe fills within a few MB
    client.close().await();
    client = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(64 * 1024));
    HttpClientResponse resp = openStream(acct.accessToken());
    resp.handler(b -> received.addAndGet(b.length()));
    resp.resume();
    waitUntil(() -> received.get() > 500_000, "client received data");
    resp.pause();

    long plateau = waitForPlateau();
    // parked in drainHandler: the writer cannot write again before the client reads
    assertThat(emu.backPressured()).isTrue();

    resp.resume();
    waitUntil(() -> emu.bytesWritten() > plateau + 1_000_000, "writing resumed after drain");

    Future<Void> closed = emu.nextStreamClosedByPeer();
    resp.request().connection().close();
    closed.await(5, TimeUnit.SECONDS);
    assertThat(emu.activeStreams()).isZero();
  }

  // ================================================================== OIDC

  @Test
  void deviceFlowPendingThenApproved() {
    Reply reg = oidc("/client/register", new JsonObject().put("clientName", "Amazon Q Developer for command line")
        .put("clientType", "public").put("scopes", List.of("codewhisperer:completions"))).await();
    assertThat(reg.status).isEqualTo(200);
    JsonObject client = new JsonObject(reg.body);
    assertThat(client.fieldNames()).contains("clientId", "clientSecret", "clientIdIssuedAt", "clientSecretExpiresAt");
    String id = client.getString("clientId");
    String secret = client.getString("clientSecret");

    JsonObject dev = new JsonObject(oidc("/device_authorization", new JsonObject().put("clientId", id)
        .put("clientSecret", secret).put("startUrl", "https://view.awsapps.com/start")).await().body);
    assertThat(dev.getString("userCode")).matches("[A-Z]{4}-[A-Z]{4}").isEqualTo(emu.oidc().latestUserCode());
    assertThat(dev.getString("verificationUriComplete")).endsWith("?user_code=" + dev.getString("userCode"));
    assertThat(dev.getInteger("expiresIn")).isEqualTo(600);
    assertThat(dev.getInteger("interval")).isEqualTo(1);
    JsonObject poll = new JsonObject().put("clientId", id).put("clientSecret", secret)
        .put("deviceCode", dev.getString("deviceCode")).put("grantType", OidcEmulator.DEVICE_GRANT);

    Reply pending = oidc("/token", poll).await();
    assertThat(pending.status).isEqualTo(400);
    assertThat(pending.headers.get("x-amzn-errortype")).isEqualTo("AuthorizationPendingException");
    assertThat(new JsonObject(pending.body).getString("error")).isEqualTo("authorization_pending");
    assertThat(new JsonObject(pending.body).getString("error_description")).isNotBlank();

    emu.oidc().approve(dev.getString("userCode"));
    Reply ok = oidc("/token", poll).await();
    assertThat(ok.status).isEqualTo(200);
    JsonObject tokens = new JsonObject(ok.body);
    assertThat(tokens.getString("tokenType")).isEqualTo("Bearer");
    assertThat(tokens.getInteger("expiresIn")).isEqualTo(3600);
    assertThat(tokens.getString("refreshToken")).startsWith("aor");
    assertThat(chat(tokens.getString("accessToken")).await().status).isEqualTo(200);

    assertOidcError(oidc("/token", poll).await(), 400, "invalid_grant", "InvalidGrantException");
    assertThat(emu.oidcRequests()).extracting(RecordedRequest::path).containsExactly("/oidc/client/register",
        "/oidc/device_authorization", "/oidc/token", "/oidc/token", "/oidc/token");
    assertThat(emu.oidcRequests().get(2).body().getString("deviceCode")).isEqualTo(dev.getString("deviceCode"));
  }

  @Test
  void deviceFlowAutoApprovalSlowDownDeniedAndExpired() {
    emu.oidc().setPendingPollsBeforeApproval(2);
    emu.oidc().setSlowDownPolls(1);
    JsonObject poll = startDeviceAuth();
    assertOidcError(oidc("/token", poll).await(), 400, "slow_down", "SlowDownException");
    assertOidcError(oidc("/token", poll).await(), 400, "authorization_pending", "AuthorizationPendingException");
    assertOidcError(oidc("/token", poll).await(), 400, "authorization_pending", "AuthorizationPendingException");
    assertThat(oidc("/token", poll).await().status).isEqualTo(200);

    emu.oidc().setPendingPollsBeforeApproval(-1);
    emu.oidc().setEnforcePollInterval(true);
    JsonObject fast = startDeviceAuth();
    assertOidcError(oidc("/token", fast).await(), 400, "authorization_pending", "AuthorizationPendingException");
    assertOidcError(oidc("/token", fast).await(), 400, "slow_down", "SlowDownException");
    emu.oidc().setEnforcePollInterval(false);

    JsonObject denied = startDeviceAuth();
    emu.oidc().deny(emu.oidc().latestUserCode());
    assertOidcError(oidc("/token", denied).await(), 400, "access_denied", "AccessDeniedException");

    JsonObject expired = startDeviceAuth();
    emu.oidc().expireDeviceCode(emu.oidc().latestUserCode());
    assertOidcError(oidc("/token", expired).await(), 400, "expired_token", "ExpiredTokenException");

    assertOidcError(oidc("/token", poll.copy().put("clientSecret", "wrong")).await(), 401, "invalid_client",
        "InvalidClientException");
  }

  @Test
  void refreshEchoesOrRotatesAndRejectsRevokedTokens() {
    emu.oidc().setAccessTokenTtlSeconds(120);
    JsonObject same = new JsonObject(refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()).await().body);
    assertThat(same.getString("refreshToken")).isEqualTo(acct.refreshToken());
    assertThat(same.getInteger("expiresIn")).isEqualTo(120);
    assertThat(same.getString("accessToken")).isNotEqualTo(acct.accessToken())
        .isEqualTo(emu.oidc().latestAccessToken(acct.clientId()));

    emu.oidc().setRotateRefreshTokens(true);
    JsonObject rotated = new JsonObject(refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()).await().body);
    String newRt = rotated.getString("refreshToken");
    assertThat(newRt).isNotEqualTo(acct.refreshToken()).isEqualTo(emu.oidc().latestRefreshToken(acct.clientId()));
    Reply old = refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()).await();
    assertOidcError(old, 400, "invalid_grant", "InvalidGrantException");
    assertThat(old.body.toString())
        .isEqualTo("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token provided\"}");

    emu.oidc().revokeRefreshToken(newRt);
    assertOidcError(refresh(acct.clientId(), acct.clientSecret(), newRt).await(), 400, "invalid_grant",
        "InvalidGrantException");
    assertOidcError(refresh(acct.clientId(), "bad-secret", newRt).await(), 401, "invalid_client",
        "InvalidClientException");

    emu.oidc().enqueueTokenFailure(500, "server_error", "boom", "InternalServerException");
    Credentials b = emu.oidc().newAccount();
    assertOidcError(refresh(b.clientId(), b.clientSecret(), b.refreshToken()).await(), 500, "server_error",
        "InternalServerException");

    assertThat(emu.oidc().refreshCount()).isEqualTo(6);
    assertThat(emu.oidc().refreshCount(acct.refreshToken())).isEqualTo(3);
    assertThat(emu.oidc().refreshCountForClient(acct.clientId())).isEqualTo(5);
  }

  @Test
  void concurrentRefreshesAreCountedAndOnlyOneWinsWithRotation() {
    emu.oidc().setRotateRefreshTokens(true);
    emu.oidc().setRefreshDelayMs(200);
    long t0 = System.nanoTime();

    List<Reply> replies = Future.all(List.of(
            refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()),
            refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()),
            refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken())))
        .await().<Reply>list();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(200);
    assertThat(replies).extracting(r -> r.status).containsExactlyInAnyOrder(200, 400, 400);
    assertThat(emu.oidc().refreshCount(acct.refreshToken())).isEqualTo(3);
  }

  @Test
  void accessTokenTtlZeroIsImmediatelyExpired() {
    emu.oidc().setAccessTokenTtlSeconds(0);
    JsonObject t = new JsonObject(refresh(acct.clientId(), acct.clientSecret(), acct.refreshToken()).await().body);
    assertThat(chat(t.getString("accessToken")).await().status).isEqualTo(403);
    assertThat(chat(acct.accessToken()).await().status).isEqualTo(200); // older token still valid
  }

  // ================================================================== helpers

  private JsonObject startDeviceAuth() {
    Credentials c = emu.oidc().newAccount();
    JsonObject dev = new JsonObject(oidc("/device_authorization", new JsonObject().put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("startUrl", "https://view.awsapps.com/start")).await().body);
    return new JsonObject().put("clientId", c.clientId()).put("clientSecret", c.clientSecret())
        .put("deviceCode", dev.getString("deviceCode")).put("grantType", OidcEmulator.DEVICE_GRANT);
  }

  private long waitForPlateau() throws InterruptedException {
    long last = -1;
    int stable = 0;
    for (int i = 0; i < 100 && stable < 3; i++) {
      Thread.sleep(50);
      long now = emu.bytesWritten();
      stable = now == last ? stable + 1 : 0;
      last = now;
    }
    assertThat(stable).as("bytesWritten plateaus while the client is paused").isEqualTo(3);
    return last;
  }

  private static void waitUntil(Supplier<Boolean> cond, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (!cond.get()) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static String text(List<Frame> frames) {
    StringBuilder sb = new StringBuilder();
    frames.stream().filter(f -> "assistantResponseEvent".equals(f.eventType()))
        .forEach(f -> sb.append(f.json().getString("content")));
    return sb.toString();
  }

  private static void assertError(Reply r, int status, String errorType, String body) {
    assertThat(r.status).isEqualTo(status);
    assertThat(r.headers.get("x-amzn-errortype")).isEqualTo(errorType);
    assertThat(r.headers.get("x-amzn-requestid")).isNotBlank();
    assertThat(r.body.toString()).isEqualTo(body);
  }

  private static void assertOidcError(Reply r, int status, String error, String errorType) {
    assertThat(r.status).isEqualTo(status);
    assertThat(r.headers.get("x-amzn-errortype")).isEqualTo(errorType);
    JsonObject b = new JsonObject(r.body);
    assertThat(b.getString("error")).isEqualTo(error);
    assertThat(b.containsKey("error_description")).isTrue();
  }

  private static MultiMap chatHeaders(String token) {
    MultiMap h = HttpHeaders.headers()
        .set("content-type", "application/x-amz-json-1.0")
        .set("x-amz-target", AmazonQEmulator.TARGET);
    if (token != null) {
      h.set("authorization", "Bearer " + token);
    }
    return h;
  }

  private Future<Reply> chat(String token) {
    return post("/", chatHeaders(token), CHAT_BODY);
  }

  private Future<Reply> oidc(String path, JsonObject body) {
    return post("/oidc" + path, HttpHeaders.headers().set("content-type", "application/json"), body.encode());
  }

  private Future<Reply> refresh(String clientId, String secret, String refreshToken) {
    return oidc("/token", new JsonObject().put("grantType", "refresh_token").put("clientId", clientId)
        .put("clientSecret", secret).put("refreshToken", refreshToken));
  }

  /**
   * Sends a request and collects every body chunk as delivered; connection failures end in {@code
   * failure}. Runs on a Vert.x context so that the response handlers are set in the same task that
   * delivers the response (no chunk can slip past).
   */
  private Future<Reply> post(String path, MultiMap headers, String body) {
    Reply reply = new Reply();
    Promise<Reply> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> request(path, headers, body)
        .onSuccess(resp -> {
          reply.status = resp.statusCode();
          reply.headers = resp.headers();
          resp.handler(b -> {
            reply.chunks.add(b);
            reply.body.appendBuffer(b);
          });
          resp.exceptionHandler(t -> {
            reply.failure = t;
            done.tryComplete(reply);
          });
          resp.endHandler(x -> done.tryComplete(reply));
        })
        .onFailure(t -> {
          reply.failure = t;
          done.tryComplete(reply);
        }));
    return done.future();
  }

  /** Opens a chat stream and returns the response paused, before any body byte was consumed. */
  private HttpClientResponse openStream(String token) {
    Promise<HttpClientResponse> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> request("/", chatHeaders(token), CHAT_BODY)
        .map(resp -> resp.pause())
        .onComplete(opened));
    return opened.future().await();
  }

  private Future<HttpClientResponse> request(String path, MultiMap headers, String body) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(emu.port()).setURI(path).setHeaders(headers))
        .compose(req -> req.send(body));
  }

  private static final class Reply {
    int status;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    final List<Buffer> chunks = new CopyOnWriteArrayList<>();
    final Buffer body = Buffer.buffer();
    volatile Throwable failure;
  }

  /** Tiny event-stream reader for these tests: string headers only, both CRCs verified. */
  private record Frame(Map<String, String> headers, String payload) {

    String eventType() {
      return headers.get(":event-type");
    }

    JsonObject json() {
      return new JsonObject(payload);
    }

    /** All complete frames; a trailing partial frame is ignored. */
    static List<Frame> parseAll(Buffer b) {
      List<Frame> out = new ArrayList<>();
      int pos = 0;
      while (b.length() - pos >= 12 && b.length() - pos >= b.getInt(pos)) {
        int total = b.getInt(pos);
        int headersLen = b.getInt(pos + 4);
        assertThat(b.getUnsignedInt(pos + 8)).as("prelude CRC").isEqualTo(crc(b, pos, pos + 8));
        assertThat(b.getUnsignedInt(pos + total - 4)).as("message CRC").isEqualTo(crc(b, pos, pos + total - 4));
        Map<String, String> headers = new LinkedHashMap<>();
        int h = pos + 12;
        while (h < pos + 12 + headersLen) {
          int nameLen = b.getUnsignedByte(h);
          String name = b.getString(h + 1, h + 1 + nameLen, "UTF-8");
          h += 1 + nameLen;
          assertThat(b.getByte(h)).as("header type of " + name).isEqualTo((byte) 7);
          int valueLen = b.getUnsignedShort(h + 1);
          headers.put(name, b.getString(h + 3, h + 3 + valueLen, "UTF-8"));
          h += 3 + valueLen;
        }
        assertThat(h).isEqualTo(pos + 12 + headersLen);
        out.add(new Frame(headers,
            new String(b.getBytes(h, pos + total - 4), StandardCharsets.UTF_8)));
        pos += total;
      }
      return out;
    }

    /** Offsets just past each complete frame. */
    static List<Integer> ends(Buffer b) {
      List<Integer> ends = new ArrayList<>();
      int pos = 0;
      while (b.length() - pos >= 12 && b.length() - pos >= b.getInt(pos)) {
        pos += b.getInt(pos);
        ends.add(pos);
      }
      return ends;
    }

    private static long crc(Buffer b, int from, int to) {
      CRC32 c = new CRC32();
      c.update(b.getBytes(from, to));
      return c.getValue();
    }
  }
}
