package io.qbridge.convert;

import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the {@code GenerateAssistantResponse} body (protocol doc §2, §6) from a {@link Conversation}.
 * The one place that knows Amazon Q's request shape, shared by the Anthropic and OpenAI front ends.
 *
 * <p>Amazon Q needs strict user/assistant alternation ending in a user turn. The builder repairs
 * what clients send: consecutive same-role turns are merged (tool results kept, q2api §6.7.5 bug
 * avoided), a history starting with the assistant gets a neutral user turn, and an assistant
 * prefill at the end is kept in history with a short "continue" prompt.
 */
public final class AmazonQRequestBuilder {

  static final String CONTINUE_PROMPT = "Continue.";
  static final String HISTORY_START_PLACEHOLDER = "(conversation start)";
  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private final UpstreamTemplate template;
  private final Clock clock;

  public AmazonQRequestBuilder(UpstreamTemplate template, Clock clock) {
    this.template = template;
    this.clock = clock;
  }

  public JsonObject build(Conversation c) {
    List<Message> turns = alternate(c.messages());
    UserMessage current = (UserMessage) turns.get(turns.size() - 1);
    JsonArray history = new JsonArray();
    for (Message m : turns.subList(0, turns.size() - 1)) {
      history.add(m instanceof UserMessage u ? historyUser(u, c) : historyAssistant((AssistantMessage) m));
    }
    JsonObject state = new JsonObject()
        .put("conversationId", UUID.randomUUID().toString())
        .put("history", history)
        .put("currentMessage", new JsonObject().put("userInputMessage", currentUser(current, c)))
        .put("chatTriggerType", template.chatTriggerType());
    return new JsonObject().put("conversationState", state);
  }

  /** Merges same-role runs and makes the sequence start with a user turn and end with one. */
  static List<Message> alternate(List<Message> in) {
    List<Message> out = new ArrayList<>();
    for (Message m : in) {
      Message last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last instanceof UserMessage a && m instanceof UserMessage b) {
        out.set(out.size() - 1, mergeUsers(a, b));
      } else if (last instanceof AssistantMessage a && m instanceof AssistantMessage b) {
        out.set(out.size() - 1, mergeAssistants(a, b));
      } else {
        out.add(m);
      }
    }
    if (out.isEmpty() || out.get(0) instanceof AssistantMessage) {
      out.add(0, UserMessage.text(HISTORY_START_PLACEHOLDER));
    }
    if (out.get(out.size() - 1) instanceof AssistantMessage) {
      out.add(UserMessage.text(CONTINUE_PROMPT));
    }
    return out;
  }

  static UserMessage mergeUsers(UserMessage a, UserMessage b) {
    List<ToolResult> results = new ArrayList<>(a.toolResults());
    results.addAll(b.toolResults());
    List<Conversation.Image> images = new ArrayList<>(a.images());
    images.addAll(b.images());
    return new UserMessage(joinNonEmpty(a.text(), b.text(), "\n\n"), results, images);
  }

  static AssistantMessage mergeAssistants(AssistantMessage a, AssistantMessage b) {
    List<ToolCall> calls = new ArrayList<>(a.toolCalls());
    calls.addAll(b.toolCalls());
    return new AssistantMessage(joinNonEmpty(a.text(), b.text(), "\n\n"), calls);
  }

  private JsonObject currentUser(UserMessage u, Conversation c) {
    JsonObject context = new JsonObject().put("envState", template.envState());
    if (!c.tools().isEmpty()) context.put("tools", toolSpecs(c));
    if (!u.toolResults().isEmpty()) context.put("toolResults", toolResults(u.toolResults()));
    JsonObject msg = new JsonObject()
        .put("content", currentContent(u, c))
        .put("userInputMessageContext", context)
        .put("origin", template.origin())
        .put("modelId", c.modelId());
    if (!u.images().isEmpty()) msg.put("images", images(u));
    return msg;
  }

  /** §6.3 framing: system prompt and context entry around the user's text; bare "" for pure tool results. */
  String currentContent(UserMessage u, Conversation c) {
    if (!u.toolResults().isEmpty() && u.text().isBlank()) return "";
    StringBuilder sb = new StringBuilder();
    if (!c.system().isBlank()) {
      sb.append("--- SYSTEM PROMPT BEGIN ---\n").append(c.system()).append("\n--- SYSTEM PROMPT END ---\n\n");
    }
    ZonedDateTime now = ZonedDateTime.now(clock);
    sb.append("--- CONTEXT ENTRY BEGIN ---\n")
        .append("Current time: ").append(now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH))
        .append(", ").append(ISO_MILLIS.format(now)).append('\n')
        .append("--- CONTEXT ENTRY END ---\n\n")
        .append("--- USER MESSAGE BEGIN ---\n").append(u.text()).append("\n--- USER MESSAGE END ---");
    return sb.toString();
  }

  private JsonObject historyUser(UserMessage u, Conversation c) {
    JsonObject context = new JsonObject().put("envState", template.envState());
    if (!u.toolResults().isEmpty()) context.put("toolResults", toolResults(u.toolResults()));
    JsonObject msg = new JsonObject()
        .put("content", u.text())
        .put("userInputMessageContext", context)
        .put("origin", template.origin());
    if (!u.images().isEmpty()) msg.put("images", images(u));
    return new JsonObject().put("userInputMessage", msg);
  }

  private static JsonObject historyAssistant(AssistantMessage a) {
    JsonObject msg = new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("content", a.text());
    if (!a.toolCalls().isEmpty()) {
      JsonArray uses = new JsonArray();
      for (ToolCall t : a.toolCalls()) {
        uses.add(new JsonObject().put("toolUseId", t.id()).put("name", t.name()).put("input", t.input()));
      }
      msg.put("toolUses", uses);
    }
    return new JsonObject().put("assistantResponseMessage", msg);
  }

  private static JsonArray toolSpecs(Conversation c) {
    JsonArray tools = new JsonArray();
    for (Conversation.ToolSpec t : c.tools()) {
      tools.add(new JsonObject().put("toolSpecification", new JsonObject()
          .put("name", t.name())
          .put("description", t.description())
          .put("inputSchema", new JsonObject().put("json", t.inputSchema()))));
    }
    return tools;
  }

  /** One entry per tool use id (duplicates merged, error wins), in first-seen order. */
  private static JsonArray toolResults(List<ToolResult> results) {
    Map<String, ToolResult> byId = new LinkedHashMap<>();
    for (ToolResult r : results) {
      byId.merge(r.toolUseId(), r, (a, b) -> {
        List<String> content = new ArrayList<>(a.content());
        for (String s : b.content()) if (!content.contains(s)) content.add(s);
        return new ToolResult(a.toolUseId(), content, a.error() || b.error());
      });
    }
    JsonArray out = new JsonArray();
    for (ToolResult r : byId.values()) {
      JsonArray content = new JsonArray();
      for (String s : r.content()) content.add(new JsonObject().put("text", s));
      out.add(new JsonObject().put("toolUseId", r.toolUseId()).put("content", content)
          .put("status", r.error() ? "error" : "success"));
    }
    return out;
  }

  private static JsonArray images(UserMessage u) {
    JsonArray out = new JsonArray();
    for (Conversation.Image i : u.images()) {
      out.add(new JsonObject().put("format", i.format()).put("source", new JsonObject().put("bytes", i.base64())));
    }
    return out;
  }

  private static String joinNonEmpty(String a, String b, String sep) {
    if (a.isEmpty()) return b;
    if (b.isEmpty()) return a;
    return a + sep + b;
  }
}
