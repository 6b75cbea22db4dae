package io.qbridge.alert;

import io.qbridge.telemetry.AccountEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ALERT_WEBHOOK_URL: each {@link AccountEvent} becomes a JSON {@code POST}
 * {@code {event, accountId, label, reason, at, instance, text}}; {@code text} is a one-line
 * summary, the field Slack- and Discord-compatible incoming webhooks display.
 *
 * <p>{@link #publish} only enqueues: it never blocks or waits for the receiver. One delivery is in
 * flight at a time, in order; a failed one (connection error or non-2xx) is retried with
 * exponential backoff up to {@link #MAX_ATTEMPTS} times, then dropped. The queue is bounded: when
 * full, the oldest event is dropped. Failures are logged once per burst (the first failure, then
 * nothing until a delivery succeeds again, which logs how many failed in between), so a dead
 * receiver cannot flood the log. Confined to the context that created it.
 */
public final class AlertWebhook implements AccountEvent.Sink {

  private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);
  static final int MAX_ATTEMPTS = 5;
  /** 1 s, then 2, 4 and 8 s between the five attempts. */
  public static final long FIRST_BACKOFF_MS = 1000;
  static final int QUEUE_CAPACITY = 256;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final String url;
  private final String instance;
  private final long firstBackoffMs;
  private final Deque<JsonObject> queue = new ArrayDeque<>();
  private boolean sending;
  private boolean closed;
  private int failuresInBurst;
  private int dropped;

  /**
   * @param client         the project's outbound client (upstream.OutboundHttp: proxy, timeouts)
   * @param firstBackoffMs wait before the first retry; doubles for each further one
   */
  public AlertWebhook(Vertx vertx, HttpClientAgent client, String url, String instance, long firstBackoffMs) {
    this.vertx = vertx;
    this.client = client;
    this.url = url;
    this.instance = instance;
    this.firstBackoffMs = firstBackoffMs;
  }

  @Override
  public void publish(AccountEvent event) {
    if (closed) return;
    if (queue.size() >= QUEUE_CAPACITY) {
      queue.pollFirst();
      if (dropped++ == 0) log.warn("alert webhook queue full ({} events): dropping the oldest", QUEUE_CAPACITY);
    }
    queue.addLast(body(event));
    if (!sending) sendNext();
  }

  /** Stops delivering (pending events are dropped) and closes the client. */
  @Override
  public void close() {
    closed = true;
    queue.clear();
    client.close();
  }

  /** Events waiting or being delivered (for tests and shutdown). */
  public int pending() { return queue.size() + (sending ? 1 : 0); }

  JsonObject body(AccountEvent e) {
    String who = e.accountId() == null ? "pool" : "account " + (e.label() != null ? e.label() + " (" + e.accountId() + ")" : e.accountId());
    return new JsonObject()
        .put("event", e.event())
        .put("accountId", e.accountId())
        .put("label", e.label())
        .put("reason", e.reason())
        .put("at", DateTimeFormatter.ISO_INSTANT.format(e.at()))
        .put("instance", instance)
        .put("text", "[qbridge " + instance + "] " + e.event() + ": " + who + (e.reason() == null ? "" : " - " + e.reason()));
  }

  private void sendNext() {
    JsonObject next = queue.pollFirst();
    if (next == null) {
      sending = false;
      return;
    }
    sending = true;
    attempt(next, 1);
  }

  private void attempt(JsonObject body, int attempt) {
    if (closed) return;
    post(body).onComplete(ar -> {
      if (ar.succeeded()) {
        if (failuresInBurst > 0) log.info("alert webhook delivers again after {} failed attempts", failuresInBurst);
        failuresInBurst = 0;
        dropped = 0;
        sendNext();
        return;
      }
      if (failuresInBurst++ == 0) log.warn("alert webhook delivery failed: {} (retrying with backoff)", ar.cause().getMessage());
      if (attempt >= MAX_ATTEMPTS) {
        sendNext();
      } else {
        vertx.setTimer(firstBackoffMs << (attempt - 1), t -> attempt(body, attempt + 1));
      }
    });
  }

  private Future<Void> post(JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader("content-type", "application/json").setTimeout(10_000);
    Buffer payload = body.toBuffer();
    Future<HttpClientRequest> request;
    try {
      request = client.request(options);
    } catch (RuntimeException e) { // a closed client throws instead of failing the future
      return Future.failedFuture(e);
    }
    return request
        .compose(req -> req.send(payload))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2 ? Future.succeededFuture()
            : Future.failedFuture("HTTP " + resp.statusCode())));
  }
}
