package io.qbridge.upstream;

import io.qbridge.eventstream.EventStreamMessage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A typed Amazon Q response event (protocol doc §3.4–3.5), decoded from one event-stream message.
 * Unknown or irrelevant events become {@link Unknown} so new upstream events never break a stream.
 */
public sealed interface QEvent {

  /** First frame of a Flavour A stream. */
  record InitialResponse(String conversationId) implements QEvent {}

  /** A text fragment ({@code assistantResponseEvent.content}); may be empty. */
  record Text(String content) implements QEvent {}

  /**
   * One tool-use fragment: start (no input, no stop), input fragment, or stop. {@code input} is the
   * raw string fragment (an object input is re-serialised to text, as peers do).
   */
  record ToolUse(String toolUseId, String name, String input, boolean stop) implements QEvent {}

  /** {@code contextUsageEvent.contextUsagePercentage} (0–100). */
  record ContextUsage(double percentage) implements QEvent {}

  /** {@code metadataEvent.tokenUsage}, when the service sends it. */
  record Metadata(JsonObject tokenUsage) implements QEvent {}

  /** An {@code exception}/{@code error} frame: the upstream failed mid-stream. */
  record StreamException(String exceptionType, String message, String reason) implements QEvent {}

  /** Any other event type; ignored by translators. */
  record Unknown(String eventType) implements QEvent {}

  /** Maps a decoded frame to its event. Malformed JSON payloads yield a {@link StreamException}. */
  static QEvent from(EventStreamMessage m) {
    String messageType = m.messageType();
    if ("exception".equals(messageType) || "error".equals(messageType)) {
      JsonObject p = parse(m);
      String type = m.exceptionType() != null ? m.exceptionType() : m.header(EventStreamMessage.ERROR_CODE);
      String message = p != null ? p.getString("message", m.header(EventStreamMessage.ERROR_MESSAGE))
          : m.header(EventStreamMessage.ERROR_MESSAGE);
      String reason = p != null && p.getValue("reason") instanceof String r ? r : null;
      return new StreamException(type == null ? "error" : type, message, reason);
    }
    String eventType = m.eventType();
    if (eventType == null) return new Unknown(null);
    switch (eventType) {
      case "initial-response": {
        JsonObject p = parse(m);
        return new InitialResponse(p == null ? null : p.getString("conversationId"));
      }
      case "assistantResponseEvent": {
        String content = TextPayload.content(m.payload());
        return content == null ? malformed(eventType) : new Text(content);
      }
      case "toolUseEvent": {
        JsonObject p = parse(m);
        if (p == null) return malformed(eventType);
        Object in = p.getValue("input");
        String input = in == null ? null : in instanceof String s ? s : String.valueOf(in instanceof JsonObject o ? o.encode() : in);
        return new ToolUse(p.getString("toolUseId"), p.getString("name"), input, Boolean.TRUE.equals(p.getValue("stop")));
      }
      case "contextUsageEvent": {
        JsonObject p = parse(m);
        Object v = p == null ? null : p.getValue("contextUsagePercentage");
        return v instanceof Number n ? new ContextUsage(n.doubleValue()) : new Unknown(eventType);
      }
      case "metadataEvent": {
        JsonObject p = parse(m);
        Object u = p == null ? null : p.getValue("tokenUsage");
        return u instanceof JsonObject o ? new Metadata(o) : new Unknown(eventType);
      }
      default:
        return new Unknown(eventType);
    }
  }

  private static StreamException malformed(String eventType) {
    return new StreamException("MalformedEvent", "Upstream sent an unreadable " + eventType, null);
  }

  private static JsonObject parse(EventStreamMessage m) {
    if (m.payload().length() == 0) return new JsonObject();
    try {
      return new JsonObject(m.payload());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
