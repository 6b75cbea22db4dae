package io.qbridge.eventstream;

import io.vertx.core.buffer.Buffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decoded AWS event-stream message: its headers in wire order and its payload.
 * Immutable once built; the payload buffer is a private copy owned by this message.
 */
public record EventStreamMessage(Map<String, HeaderValue> headers, Buffer payload) {

  public static final String MESSAGE_TYPE = ":message-type";
  public static final String EVENT_TYPE = ":event-type";
  public static final String EXCEPTION_TYPE = ":exception-type";
  public static final String CONTENT_TYPE = ":content-type";
  public static final String ERROR_CODE = ":error-code";
  public static final String ERROR_MESSAGE = ":error-message";

  /** The class of {@link Collections#unmodifiableMap} views: taken as they are, not copied again. */
  private static final Class<?> UNMODIFIABLE = Collections.unmodifiableMap(new LinkedHashMap<>()).getClass();

  /**
   * Copies {@code headers} in their order, unless they are an unmodifiable view already (the
   * decoder's, whose map nobody else holds: one map per message, not two, on the streaming path).
   */
  public EventStreamMessage {
    if (headers.getClass() != UNMODIFIABLE) headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** The header value as text, or {@code null} when absent. */
  public String header(String name) {
    HeaderValue v = headers.get(name);
    return v == null ? null : v.asString();
  }

  /** {@code event}, {@code exception} or {@code error}; {@code null} when the header is missing. */
  public String messageType() { return header(MESSAGE_TYPE); }

  public String eventType() { return header(EVENT_TYPE); }

  public String exceptionType() { return header(EXCEPTION_TYPE); }

  public String payloadAsString() { return payload.toString(java.nio.charset.StandardCharsets.UTF_8); }
}
