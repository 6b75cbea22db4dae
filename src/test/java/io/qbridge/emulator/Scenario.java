package io.qbridge.emulator;

import io.qbridge.eventstream.EventStreamEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A scripted answer of the emulated chat endpoint: an immutable sequence of steps, executed in
 * order for one {@code GenerateAssistantResponse} request.
 *
 * <p>Two phases. <b>Header phase</b> steps ({@link Builder#delayBeforeHeaders}, {@link
 * Builder#hangBeforeHeaders}, {@link Builder#httpError}) run before any response byte; {@code
 * hangBeforeHeaders} and {@code httpError} end the scenario. <b>Body phase</b> steps (events,
 * exception frames, raw bytes, silence, cut, endless) run after a 200 with content type {@code
 * application/vnd.amazon.eventstream} was started; the first body step writes the headers and (unless
 * {@link Builder#noInitialResponse()}) the {@code initial-response} frame. The stream ends with EOF
 * after the last step — Amazon Q has no terminal event.
 *
 * <p>Body bytes are written split at random byte boundaries (chunks of 1..{@value
 * #DEFAULT_MAX_CHUNK} bytes, seeded per stream, frames crossing chunk boundaries) unless {@link
 * Builder#noSplit()}. Events without a delay are coalesced before splitting, so a chunk may hold the
 * end of one frame and the start of the next.
 *
 * <p>Static factories cover the common cases; use {@link #builder()} to combine steps:
 *
 * <pre>{@code
 * Scenario.builder()
 *     .text("Checking.")
 *     .toolUse("tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}")
 *     .contextUsage(12.5)
 *     .build();
 * }</pre>
 *
 * Instances are immutable and may be enqueued many times and used from any thread.
 */
public final class Scenario {

  public static final int DEFAULT_MAX_CHUNK = 200;

  /** Text of the emulator's default scenario, written as a few fragments. */
  public static final String DEFAULT_TEXT = "Hello from the emulator.";

  // ---- verbatim upstream error bodies (protocol doc §4.1) ----
  public static final String BEARER_INVALID_MESSAGE = "The bearer token included in the request is invalid.";
  public static final String MALFORMED_MESSAGE = "Improperly formed request.";
  public static final String TOO_LONG_MESSAGE = "Input is too long.";
  public static final String THROTTLED_MESSAGE = "Too many requests, please wait before trying again.";
  public static final String SUSPICIOUS_MESSAGE =
      "Due to suspicious activity, we are imposing temporary limits on your account. Please try again later.";
  public static final String MONTHLY_QUOTA_MESSAGE =
      "Maximum com.amazon.aws.codewhisperer.streaming.GenerateAssistantResponse reached for this month.";
  public static final String CAPACITY_MESSAGE =
      "I am experiencing high traffic, please try again shortly.";
  public static final String HIGH_LOAD_MESSAGE =
      "Encountered unexpectedly high load when processing the request, please try again.";

  final List<Step> steps;
  final boolean split;
  final boolean initialResponse;
  final int maxChunk;

  private Scenario(List<Step> steps, boolean split, boolean initialResponse, int maxChunk) {
    this.steps = List.copyOf(steps);
    this.split = split;
    this.initialResponse = initialResponse;
    this.maxChunk = maxChunk;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ streaming factories

  /** One {@code assistantResponseEvent {"content":fragment}} per fragment, then EOF. */
  public static Scenario text(String... fragments) {
    return builder().text(fragments).build();
  }

  /** The default scenario: {@link #DEFAULT_TEXT} in four fragments. */
  public static Scenario defaultText() {
    return text("Hello", " from the", " emul", "ator.");
  }

  /** One complete tool call: start, one {@code input} event per fragment, stop. */
  public static Scenario toolUse(String toolUseId, String name, String... inputFragments) {
    return builder().toolUse(toolUseId, name, inputFragments).build();
  }

  /**
   * {@code n} text events ("part 0 ", "part 1 ", …) followed by an {@code exception} frame, then EOF.
   * E.g. {@code exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}")}.
   */
  public static Scenario exceptionAfter(int n, String exceptionType, String json) {
    return builder().text(parts(n)).exception(exceptionType, json).build();
  }

  /** {@code n} text events, then half of the next frame, then the connection is closed abruptly. */
  public static Scenario cutMidFrame(int n) {
    return builder().text(parts(n)).cutMidFrame().build();
  }

  /**
   * Text events of {@code fragmentSize} characters for as long as the peer reads, honouring
   * back-pressure (see {@link Builder#endless(int)}).
   */
  public static Scenario endless(int fragmentSize) {
    return builder().endless(fragmentSize).build();
  }

  /** Waits {@code ms} without a byte, then closes the connection (no status line). {@code ms < 0}: wait until the peer leaves. */
  public static Scenario hangBeforeHeaders(long ms) {
    return builder().hangBeforeHeaders(ms).build();
  }

  /** Waits {@code ms} without a byte, then answers with {@code then}. */
  public static Scenario delayBeforeHeaders(long ms, Scenario then) {
    Builder b = builder().delayBeforeHeaders(ms);
    b.steps.addAll(then.steps);
    b.split = then.split;
    b.initialResponse = then.initialResponse;
    b.maxChunk = then.maxChunk;
    return b.build();
  }

  // ------------------------------------------------------------------ HTTP error factories

  /** Any HTTP error: {@code status}, JSON body verbatim, {@code x-amzn-errortype} (null: no header). */
  public static Scenario httpError(int status, String jsonBody, String errorType) {
    return builder().httpError(status, jsonBody, errorType).build();
  }

  /** 403 AccessDeniedException {@code {"message":"The bearer token included in the request is invalid.","reason":null}}. */
  public static Scenario bearerInvalid403() {
    return httpError(403, body(BEARER_INVALID_MESSAGE, null), "AccessDeniedException");
  }

  /** 403 AccessDeniedException, reason TEMPORARILY_SUSPENDED, with a random user id. */
  public static Scenario suspended403() {
    return suspended403(UUID.randomUUID());
  }

  /** 403 AccessDeniedException, reason TEMPORARILY_SUSPENDED, message naming {@code userId}. */
  public static Scenario suspended403(UUID userId) {
    return httpError(403, body(suspendedMessage(userId), "TEMPORARILY_SUSPENDED"), "AccessDeniedException");
  }

  /** 429 ThrottlingException "Too many requests, please wait before trying again.", no retry-after. */
  public static Scenario throttled429() {
    return httpError(429, body(THROTTLED_MESSAGE, null), "ThrottlingException");
  }

  /** As {@link #throttled429()} plus a {@code retry-after: <seconds>} header. */
  public static Scenario throttled429(int retryAfterSeconds) {
    return builder()
        .httpError(429, body(THROTTLED_MESSAGE, null), "ThrottlingException",
            Map.of("retry-after", Integer.toString(retryAfterSeconds)))
        .build();
  }

  /** 429 ThrottlingException "Due to suspicious activity, we are imposing temporary limits…". */
  public static Scenario suspicious429() {
    return httpError(429, body(SUSPICIOUS_MESSAGE, null), "ThrottlingException");
  }

  /** ThrottlingException MONTHLY_REQUEST_COUNT with the given status (peers saw 400, 402 and 429). */
  public static Scenario monthlyQuota(int status) {
    return httpError(status, body(MONTHLY_QUOTA_MESSAGE, "MONTHLY_REQUEST_COUNT"), "ThrottlingException");
  }

  /** 429 ThrottlingException reason INSUFFICIENT_MODEL_CAPACITY. */
  public static Scenario capacity429() {
    return httpError(429, body(CAPACITY_MESSAGE, "INSUFFICIENT_MODEL_CAPACITY"), "ThrottlingException");
  }

  /** 500 InternalServerException "Encountered unexpectedly high load when processing the request, please try again.". */
  public static Scenario internal500() {
    return httpError(500, body(HIGH_LOAD_MESSAGE, null), "InternalServerException");
  }

  /** 400 ValidationException {@code {"message":"Input is too long.","reason":"CONTENT_LENGTH_EXCEEDS_THRESHOLD"}}. */
  public static Scenario contentTooLong400() {
    return httpError(400, body(TOO_LONG_MESSAGE, "CONTENT_LENGTH_EXCEEDS_THRESHOLD"), "ValidationException");
  }

  /** 400 ValidationException {@code {"message":"Improperly formed request.","reason":null}}. */
  public static Scenario malformed400() {
    return httpError(400, body(MALFORMED_MESSAGE, null), "ValidationException");
  }

  /** {@code {"message":message,"reason":reason}} in that key order, compact, {@code null} kept. */
  public static String body(String message, String reason) {
    return new JsonObject().put("message", message).put("reason", reason).encode();
  }

  public static String suspendedMessage(UUID userId) {
    return "Your User ID (" + userId + ") temporarily is suspended. We've locked your account as a"
        + " security precaution. To restore access, please contact our support team with your"
        + " User ID and the email address associated with your account.";
  }

  private static String[] parts(int n) {
    String[] p = new String[n];
    for (int i = 0; i < n; i++) {
      p[i] = "part " + i + " ";
    }
    return p;
  }

  // ------------------------------------------------------------------ steps

  /** One step of a scenario; package-private, executed by {@link EmulatedExchange}. */
  sealed interface Step {}

  record DelayBeforeHeaders(long ms) implements Step {}

  record HangBeforeHeaders(long ms) implements Step {}

  record HttpError(int status, String body, Map<String, String> headers) implements Step {}

  /** A complete encoded frame (event or exception), written after {@code delayMs}. */
  record Frame(Buffer bytes, long delayMs) implements Step {}

  /** Arbitrary bytes (e.g. a corrupted frame), written after {@code delayMs}. */
  record Raw(Buffer bytes, long delayMs) implements Step {}

  record Silence(long ms) implements Step {}

  /** Writes the first half of {@code frame} then closes the connection. */
  record Cut(Buffer frame) implements Step {}

  record Endless(int fragmentSize) implements Step {}

  // ------------------------------------------------------------------ builder

  /**
   * Mutable builder; not thread-safe. {@link #eventDelayMs(long)} applies to the events added
   * after it. Header-phase steps must precede body-phase steps; {@code httpError}, {@code
   * hangBeforeHeaders}, {@code cutMidFrame} and {@code endless} must be last.
   */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();
    private boolean split = true;
    private boolean initialResponse = true;
    private int maxChunk = DEFAULT_MAX_CHUNK;
    private long eventDelayMs;
    private Buffer lastFrame;
    private boolean terminated;
    private boolean bodyStarted;

    private Builder() {}

    /** Delay before each following event/exception/raw step (0 = none). */
    public Builder eventDelayMs(long ms) {
      this.eventDelayMs = ms;
      return this;
    }

    /** One {@code assistantResponseEvent {"content":fragment}} per fragment (thinking tags are plain text). */
    public Builder text(String... fragments) {
      for (String f : fragments) {
        event("assistantResponseEvent", new JsonObject().put("content", f));
      }
      return this;
    }

    /** Start {@code {toolUseId,name}}, one {@code {toolUseId,name,input}} per fragment, stop {@code {toolUseId,name,stop:true}}. */
    public Builder toolUse(String toolUseId, String name, String... inputFragments) {
      toolUseStart(toolUseId, name);
      for (String f : inputFragments) {
        toolUseInput(toolUseId, name, f);
      }
      return toolUseStop(toolUseId, name);
    }

    public Builder toolUseStart(String toolUseId, String name) {
      return event("toolUseEvent", new JsonObject().put("toolUseId", toolUseId).put("name", name));
    }

    public Builder toolUseInput(String toolUseId, String name, String inputFragment) {
      return event("toolUseEvent",
          new JsonObject().put("toolUseId", toolUseId).put("name", name).put("input", inputFragment));
    }

    public Builder toolUseStop(String toolUseId, String name) {
      return event("toolUseEvent",
          new JsonObject().put("toolUseId", toolUseId).put("name", name).put("stop", true));
    }

    /** {@code contextUsageEvent {"contextUsagePercentage":percentage}}. */
    public Builder contextUsage(double percentage) {
      return event("contextUsageEvent", new JsonObject().put("contextUsagePercentage", percentage));
    }

    /** {@code metadataEvent {"tokenUsage":{uncachedInputTokens,outputTokens,totalTokens,cacheReadInputTokens:0,cacheWriteInputTokens:0}}}. */
    public Builder metadata(int inputTokens, int outputTokens) {
      JsonObject usage = new JsonObject()
          .put("uncachedInputTokens", inputTokens)
          .put("outputTokens", outputTokens)
          .put("totalTokens", inputTokens + outputTokens)
          .put("cacheReadInputTokens", 0)
          .put("cacheWriteInputTokens", 0);
      return event("metadataEvent", new JsonObject().put("tokenUsage", usage));
    }

    /** Any event frame ({@code :message-type event}) with the given {@code :event-type} and JSON payload. */
    public Builder event(String eventType, JsonObject payload) {
      return event(eventType, payload.encode());
    }

    public Builder event(String eventType, String jsonPayload) {
      return frame(EventStreamEncoder.event(eventType, jsonPayload));
    }

    /** An {@code exception} frame, e.g. {@code exception("ThrottlingException", "{\"message\":\"Too many requests\"}")} or type {@code error}. */
    public Builder exception(String exceptionType, String jsonPayload) {
      return frame(EventStreamEncoder.exception(exceptionType, jsonPayload));
    }

    /** Repeats the previous event/exception frame (upstream duplicates, protocol doc §3.4). */
    public Builder duplicateLast() {
      if (lastFrame == null) {
        throw new IllegalStateException("duplicateLast() needs a previous event");
      }
      return frame(lastFrame);
    }

    /** Arbitrary bytes in the body (e.g. a frame with a broken CRC). */
    public Builder raw(Buffer bytes) {
      body();
      steps.add(new Raw(bytes.copy(), eventDelayMs));
      return this;
    }

    /** Writes nothing for {@code ms} (after flushing what came before), then continues. */
    public Builder silence(long ms) {
      body();
      steps.add(new Silence(ms));
      return this;
    }

    /** Writes half of an {@code assistantResponseEvent} frame, then closes the connection abruptly. Terminal. */
    public Builder cutMidFrame() {
      body();
      steps.add(new Cut(EventStreamEncoder.event("assistantResponseEvent",
          new JsonObject().put("content", "this frame is cut in half").encode())));
      terminated = true;
      return this;
    }

    /**
     * Endless {@code assistantResponseEvent}s with {@code fragmentSize}-character content, written
     * while {@code !response.writeQueueFull()} and resumed from {@code drainHandler}; stops when the
     * peer closes. Split into pieces of up to max(maxChunkSize, 16 KiB) so that filling the many MB a
     * paused loopback peer buffers stays fast. Terminal.
     */
    public Builder endless(int fragmentSize) {
      if (fragmentSize < 1) {
        throw new IllegalArgumentException("fragmentSize must be >= 1");
      }
      body();
      steps.add(new Endless(fragmentSize));
      terminated = true;
      return this;
    }

    /** Waits {@code ms} before the status line. */
    public Builder delayBeforeHeaders(long ms) {
      header();
      steps.add(new DelayBeforeHeaders(ms));
      return this;
    }

    /** Waits {@code ms} without writing anything, then closes the connection; {@code ms < 0} waits until the peer leaves. Terminal. */
    public Builder hangBeforeHeaders(long ms) {
      header();
      steps.add(new HangBeforeHeaders(ms));
      terminated = true;
      return this;
    }

    /** Complete error response. Terminal. */
    public Builder httpError(int status, String jsonBody, String errorType) {
      return httpError(status, jsonBody, errorType, Map.of());
    }

    /** Complete error response with extra headers (e.g. {@code retry-after}). Terminal. */
    public Builder httpError(int status, String jsonBody, String errorType, Map<String, String> extraHeaders) {
      header();
      Map<String, String> h = new LinkedHashMap<>();
      if (errorType != null) {
        h.put("x-amzn-errortype", errorType);
      }
      h.putAll(extraHeaders);
      steps.add(new HttpError(status, jsonBody, Map.copyOf(h)));
      terminated = true;
      return this;
    }

    /** Write each frame whole (one HTTP chunk per write), no random splitting. */
    public Builder noSplit() {
      this.split = false;
      return this;
    }

    /** Random pieces are 1..{@code bytes} long (default {@value #DEFAULT_MAX_CHUNK}); e.g. larger for throughput benchmarks. */
    public Builder maxChunkSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxChunkSize must be >= 1");
      }
      this.maxChunk = bytes;
      return this;
    }

    /** Omit the {@code initial-response} frame that otherwise opens every stream. */
    public Builder noInitialResponse() {
      this.initialResponse = false;
      return this;
    }

    public Scenario build() {
      return new Scenario(steps, split, initialResponse, maxChunk);
    }

    private Builder frame(Buffer frame) {
      body();
      lastFrame = frame;
      steps.add(new Frame(frame, eventDelayMs));
      return this;
    }

    private void header() {
      if (terminated || bodyStarted) {
        throw new IllegalStateException("header-phase steps must come first and only once before a terminal step");
      }
    }

    private void body() {
      if (terminated) {
        throw new IllegalStateException("no step may follow a terminal step");
      }
      bodyStarted = true;
    }
  }
}
