package io.qbridge.e2e;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Minimal SSE parser for assertions: (event name, data) pairs, comments skipped. */
public final class SseParser {

  public record Event(String name, String data) {
    public JsonObject json() { return new JsonObject(data); }
  }

  private SseParser() {}

  public static List<Event> parse(String body) {
    List<Event> out = new ArrayList<>();
    String name = null;
    StringBuilder data = null;
    for (String line : body.split("\n", -1)) {
      if (line.isEmpty()) {
        if (data != null) out.add(new Event(name, data.toString()));
        name = null;
        data = null;
      } else if (line.startsWith(":")) {
        // comment / keep-alive
      } else if (line.startsWith("event:")) {
        name = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        String d = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
        data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
      }
    }
    return out;
  }

  public static List<String> names(List<Event> events) {
    return events.stream().map(Event::name).toList();
  }
}
