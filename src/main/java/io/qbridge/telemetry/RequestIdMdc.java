package io.qbridge.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the current request's id (from {@link RequestScope}, i.e. the Vert.x context) into the MDC
 * as {@code requestId} right before each log event is built, on the logging thread, and removes it
 * when the caller runs outside a request. The MDC is thus recomputed for every line and never
 * carries one request's id into a line of another request that the same event loop serves next.
 * Installed in logback.xml as a {@code turboFilter}; it never filters.
 */
public final class RequestIdMdc extends TurboFilter {

  public static final String KEY = "requestId";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    String id = RequestScope.requestId();
    if (id == null) {
      if (MDC.get(KEY) != null) MDC.remove(KEY);
    } else if (!id.equals(MDC.get(KEY))) {
      MDC.put(KEY, id);
    }
    return FilterReply.NEUTRAL;
  }
}
