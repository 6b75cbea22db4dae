package io.qbridge.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** A test appender on one logger, at a given level; {@link #close()} restores the logger. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final Level previous;
  public final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  public LogCapture(String loggerName, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.previous = logger.getLevel();
    setContext(logger.getLoggerContext());
    start();
    logger.setLevel(level);
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing(); // freezes the MDC and message as they were on the logging thread
    events.add(event);
  }

  /** Waits up to 10 s until an event matches; fails otherwise. */
  public ILoggingEvent await(Predicate<ILoggingEvent> p, String what) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (ILoggingEvent e : events) if (p.test(e)) return e;
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no log event " + what + " within 10 s; got " + events.stream().map(ILoggingEvent::getFormattedMessage).toList());
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previous);
    stop();
  }
}
