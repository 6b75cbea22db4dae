package io.qbridge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml: LOG_FORMAT picks the appender, json gives one parseable object per line. */
class LogFormatTest {

  private static LoggerContext configured(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    if (format != null) context.putProperty("LOG_FORMAT", format);
    context.putProperty("LOG_LEVEL", "WARN");
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
    return context;
  }

  @SuppressWarnings("unchecked")
  private static String encode(LoggerContext context, ILoggingEvent event) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) root.iteratorForAppenders().next();
    return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  private static LoggingEvent event(LoggerContext context) {
    LoggingEvent e = new LoggingEvent("x", context.getLogger("io.qbridge.access"), Level.INFO,
        "requestId={} status={}", null, new Object[] {"req_1", 200});
    e.setMDCPropertyMap(Map.of("requestId", "req_1"));
    e.addKeyValuePair(new org.slf4j.event.KeyValuePair("status", 200));
    return e;
  }

  @Test
  void jsonFormatIsOneJsonObjectPerLineWithMdcAndFields() throws Exception {
    LoggerContext context = configured("json");
    String line = encode(context, event(context));
    assertThat(line).endsWith("\n").doesNotContain("\n\n");
    JsonObject json = new JsonObject(line.trim());
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("loggerName")).isEqualTo("io.qbridge.access");
    assertThat(json.getString("formattedMessage")).isEqualTo("requestId=req_1 status=200");
    assertThat(json.getJsonObject("mdc").getString("requestId")).isEqualTo("req_1");
    assertThat(json.getJsonArray("kvpList").encode()).contains("\"status\"");
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
    context.stop();
  }

  @Test
  void textIsTheDefaultAndNamesTheRequest() throws Exception {
    LoggerContext context = configured(null);
    String line = encode(context, event(context));
    assertThat(line).contains("INFO").contains("[req_1]").contains("requestId=req_1 status=200");
    assertThat(line.trim()).doesNotStartWith("{");
    context.stop();
  }
}
