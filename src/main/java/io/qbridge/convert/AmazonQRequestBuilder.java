package io.qbridge.convert;

import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Image;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.error.GatewayException;
import io.qbridge.ids.RandomIds;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@code GenerateAssistantResponse} body (protocol doc §2, §6) from a {@link Conversation}.
 * The one place that knows Amazon Q's request shape, shared by the Anthropic and OpenAI front ends.
 *
 * <p>What Amazon Q rejects with "Improperly formed request." is repaired here, once:
 * <ul>
 *   <li>alternation: same-role runs merge (tool results kept — q2api §6.7.5 lost them), a history
 *       starting with the assistant gets a neutral user turn, an assistant prefill at the end is
 *       kept in history with a short "continue" prompt;</li>
 *   <li>tool results are reordered to the order of the calls they answer, missing ones are
 *       reported as cancelled, orphans become text, empty ones get q2api's wording (4751d10);</li>
 *   <li>tools: names over 64 characters shortened reversibly, descriptions over 10,240 characters
 *       truncated with the full text moved into the prompt, schema hygiene, and placeholder specs
 *       for tools used in history but no longer offered.</li>
 * </ul>
 *
 * <p>The system prompt (with the documentation of truncated tools) reaches Amazon Q on every
 * request, exactly once, whatever the front end: framed into the current message (§6.3) when that
 * message has text; otherwise — a turn of tool results only, whose content must stay empty (§6.3,
 * §6.7) — as a leading user/assistant pair in history ({@link #SYSTEM_ACK}), which q2api forgot and
 * agent loops therefore lost on nearly every turn.
 */
public final class AmazonQRequestBuilder {

  static final String CONTINUE_PROMPT = "Continue.";
  static final String HISTORY_START_PLACEHOLDER = "(conversation start)";
  /** The assistant's side of the system-prompt pair in history (as kiro.rs words it). */
  static final String SYSTEM_ACK = "I will follow these instructions.";
  static final String EMPTY_SUCCESS = "Command executed successfully";
  static final String CANCELLED = "Tool use was cancelled by the user";
  static final int MAX_DESCRIPTION = 10_240;
  static final int TRUNCATED_DESCRIPTION = 10_100;
  static final String TRUNCATION_NOTE = "\n\n...(Full description provided in TOOL DOCUMENTATION section)";
  static final String PLACEHOLDER_DESCRIPTION = "Tool used earlier in this conversation; it is no longer available.";
  public static final int MAX_IMAGES = 10;
  public static final int MAX_IMAGE_BYTES = 10 * 1024 * 1024;
  static final int DEFAULT_THINKING_LENGTH = 16_000;
  private static final DateTimeFormatter ISO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("XXX");

  private final UpstreamTemplate template;
  private final Clock clock;
  /** The current second's text, formatted once per second, not per request (read from several threads). */
  private volatile SecondText second;

  /** "Friday, 2026-12-01T20:15:03" and "+08:00" (or "Z") of one epoch second in the clock's zone. */
  private record SecondText(long epochSecond, String dayAndTime, String offset) {}

  public AmazonQRequestBuilder(UpstreamTemplate template, Clock clock) {
    this.template = template;
    this.clock = clock;
  }

  public QRequest build(Conversation c) {
    List<Message> turns = repairToolResults(alternate(dedupeToolCalls(c.messages())));
    UserMessage current = (UserMessage) turns.get(turns.size() - 1);
    checkImages(turns, current);
    ToolNames.Builder names = new ToolNames.Builder();
    StringBuilder toolDocs = new StringBuilder();
    JsonArray specs = toolSpecs(c.tools(), turns, names, toolDocs);
    String hint = c.thinking() ? thinkingHint(c) : null;

    String preamble = toolDocs + systemBlock(c.system());
    boolean framed = isFramed(current);
    List<Message> past = turns.subList(0, turns.size() - 1);
    JsonArray history = new JsonArray();
    if (!framed && !preamble.isEmpty()) {
      history.add(systemUser(preamble.strip()));
      // the pair stands in for the neutral first user turn alternate() adds before an assistant opening
      if (isStartPlaceholder(past.get(0))) past = past.subList(1, past.size());
      else history.add(historyAssistant(AssistantMessage.text(SYSTEM_ACK)));
    }
    for (Message m : past) {
      history.add(m instanceof UserMessage u ? historyUser(u, hint) : historyAssistant((AssistantMessage) m));
    }
    JsonObject context = new JsonObject().put("envState", template.envState());
    if (!specs.isEmpty()) context.put("tools", specs);
    if (!current.toolResults().isEmpty()) context.put("toolResults", toolResults(current.toolResults()));
    JsonObject msg = new JsonObject()
        .put("content", framed ? framedContent(current, preamble, hint) : withHint("", hint))
        .put("userInputMessageContext", context)
        .put("origin", template.origin())
        .put("modelId", c.modelId());
    if (!current.images().isEmpty()) msg.put("images", images(current.images()));
    JsonObject state = new JsonObject()
        .put("conversationId", RandomIds.uuid())
        .put("history", history)
        .put("currentMessage", new JsonObject().put("userInputMessage", msg))
        .put("chatTriggerType", template.chatTriggerType());
    return new QRequest(new JsonObject().put("conversationState", state), names.build());
  }

  // ---------------------------------------------------------------- turn structure

  /** A tool use id answered twice in history confuses Amazon Q: keep the first call only (q2api). */
  static List<Message> dedupeToolCalls(List<Message> in) {
    Set<String> seen = new HashSet<>();
    List<Message> out = new ArrayList<>(in.size());
    for (Message m : in) {
      if (m instanceof AssistantMessage a && !a.toolCalls().isEmpty()) {
        List<ToolCall> kept = new ArrayList<>();
        for (ToolCall t : a.toolCalls()) if (seen.add(t.id())) kept.add(t);
        out.add(kept.size() == a.toolCalls().size() ? a : new AssistantMessage(a.text(), kept));
      } else {
        out.add(m);
      }
    }
    return out;
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
    List<Image> images = new ArrayList<>(a.images());
    images.addAll(b.images());
    return new UserMessage(joinNonEmpty(a.text(), b.text(), "\n\n"), results, images);
  }

  static AssistantMessage mergeAssistants(AssistantMessage a, AssistantMessage b) {
    List<ToolCall> calls = new ArrayList<>(a.toolCalls());
    calls.addAll(b.toolCalls());
    return new AssistantMessage(joinNonEmpty(a.text(), b.text(), "\n\n"), calls);
  }

  /**
   * Every user turn answers exactly the calls of the assistant turn before it, in call order
   * (parallel calls, q2api 8a9df15). Unanswered calls are reported cancelled (as the official CLI
   * does); results for calls that are not there become plain text so nothing the user sent is lost.
   */
  static List<Message> repairToolResults(List<Message> turns) {
    List<Message> out = new ArrayList<>(turns.size());
    List<ToolCall> pendingCalls = List.of();
    for (Message m : turns) {
      if (m instanceof AssistantMessage a) {
        pendingCalls = a.toolCalls();
        out.add(m);
        continue;
      }
      UserMessage u = (UserMessage) m;
      Map<String, ToolResult> byId = new LinkedHashMap<>();
      StringBuilder orphanText = new StringBuilder();
      Set<String> expected = new HashSet<>();
      for (ToolCall call : pendingCalls) expected.add(call.id());
      for (ToolResult r : u.toolResults()) {
        if (expected.contains(r.toolUseId())) {
          byId.merge(r.toolUseId(), r, AmazonQRequestBuilder::mergeResults);
        } else {
          orphanText.append(orphanText.length() == 0 ? "" : "\n\n")
              .append("[Tool result for ").append(r.toolUseId()).append(r.error() ? " (error)" : "").append("]\n")
              .append(String.join("\n", r.content()));
        }
      }
      List<ToolResult> ordered = new ArrayList<>();
      for (ToolCall call : pendingCalls) {
        ToolResult r = byId.get(call.id());
        ordered.add(r == null ? new ToolResult(call.id(), List.of(CANCELLED), true) : withDefaultContent(r));
      }
      String text = orphanText.length() == 0 ? u.text() : joinNonEmpty(u.text(), orphanText.toString(), "\n\n");
      out.add(new UserMessage(text, ordered, u.images()));
      pendingCalls = List.of();
    }
    return out;
  }

  private static ToolResult mergeResults(ToolResult a, ToolResult b) {
    List<String> content = new ArrayList<>(a.content());
    for (String s : b.content()) if (!content.contains(s)) content.add(s);
    return new ToolResult(a.toolUseId(), content, a.error() || b.error());
  }

  /** Empty results: "executed successfully", or "cancelled" for errors (q2api 4751d10). */
  private static ToolResult withDefaultContent(ToolResult r) {
    boolean empty = r.content().stream().allMatch(String::isBlank);
    if (!empty) return r;
    return new ToolResult(r.toolUseId(), List.of(r.error() ? CANCELLED : EMPTY_SUCCESS), r.error());
  }

  private static void checkImages(List<Message> turns, UserMessage current) {
    int total = 0;
    for (Message m : turns) {
      if (!(m instanceof UserMessage u)) continue;
      for (Image i : u.images()) {
        total++;
        // base64 length * 3/4 is the decoded size, give or take padding
        if ((long) i.base64().length() * 3 / 4 > MAX_IMAGE_BYTES) {
          throw GatewayException.badRequest("image exceeds the 10 MB limit of Amazon Q");
        }
      }
    }
    if (total > MAX_IMAGES) {
      throw GatewayException.badRequest("too many images: " + total + " in the conversation, Amazon Q accepts at most " + MAX_IMAGES);
    }
  }

  // ---------------------------------------------------------------- tools

  private static JsonArray toolSpecs(List<ToolSpec> tools, List<Message> turns, ToolNames.Builder names, StringBuilder docs) {
    JsonArray specs = new JsonArray();
    Set<String> offered = new HashSet<>();
    for (ToolSpec t : tools) {
      if (!offered.add(t.name().toLowerCase(Locale.ROOT))) continue; // duplicate definitions
      String description = t.description() == null || t.description().isBlank() ? "Tool: " + t.name() : t.description();
      if (description.length() > MAX_DESCRIPTION) {
        if (docs.length() == 0) docs.append("--- TOOL DOCUMENTATION BEGIN ---\n");
        docs.append("Tool: ").append(t.name()).append("\nFull Description:\n").append(description).append('\n');
        description = description.substring(0, TRUNCATED_DESCRIPTION) + TRUNCATION_NOTE;
      }
      specs.add(spec(names.add(t.name()), description, ToolSchemas.clean(t.inputSchema())));
    }
    if (docs.length() > 0) docs.append("--- TOOL DOCUMENTATION END ---\n\n");
    // every tool named in history must be defined, or Amazon Q rejects the request (§2.5)
    for (Message m : turns) {
      if (!(m instanceof AssistantMessage a)) continue;
      for (ToolCall call : a.toolCalls()) {
        if (offered.add(call.name().toLowerCase(Locale.ROOT))) {
          specs.add(spec(names.add(call.name()), PLACEHOLDER_DESCRIPTION, new JsonObject().put("type", "object")));
        }
      }
    }
    return specs;
  }

  private static JsonObject spec(String name, String description, JsonObject schema) {
    return new JsonObject().put("toolSpecification", new JsonObject()
        .put("name", name).put("description", description)
        .put("inputSchema", new JsonObject().put("json", schema)));
  }

  // ---------------------------------------------------------------- messages

  /**
   * Whether the current message gets the §6.3 framing (and with it the system prompt). A message of
   * tool results only keeps its content empty: the system prompt then travels in history.
   */
  static boolean isFramed(UserMessage current) {
    return current.toolResults().isEmpty() || !current.text().isBlank();
  }

  private static String systemBlock(String system) {
    return system.isBlank() ? "" : "--- SYSTEM PROMPT BEGIN ---\n" + system + "\n--- SYSTEM PROMPT END ---\n\n";
  }

  /** §6.3 framing: tool docs and system prompt ({@code preamble}), then the context entry around the user's text. */
  private String framedContent(UserMessage u, String preamble, String thinkingHint) {
    StringBuilder sb = new StringBuilder(preamble);
    sb.append("--- CONTEXT ENTRY BEGIN ---\n")
        .append("Current time: ");
    appendNow(sb);
    sb.append('\n')
        .append("--- CONTEXT ENTRY END ---\n\n")
        .append("--- USER MESSAGE BEGIN ---\n").append(u.text()).append("\n--- USER MESSAGE END ---");
    return withHint(sb.toString(), thinkingHint);
  }

  /** "Friday, 2026-12-01T20:15:03.123+08:00": the day, then ISO-8601 with milliseconds and the offset. */
  private void appendNow(StringBuilder sb) {
    Instant now = clock.instant();
    SecondText text = second;
    if (text == null || text.epochSecond() != now.getEpochSecond()) {
      ZonedDateTime t = now.atZone(clock.getZone());
      text = new SecondText(now.getEpochSecond(),
          t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + ", " + ISO_SECONDS.format(t), OFFSET.format(t));
      second = text;
    }
    int millis = now.getNano() / 1_000_000;
    sb.append(text.dayAndTime()).append('.');
    if (millis < 100) sb.append('0');
    if (millis < 10) sb.append('0');
    sb.append(millis).append(text.offset());
  }

  /** The first history turn when the system prompt travels in history: no thinking hint, it is not the user speaking. */
  private JsonObject systemUser(String preamble) {
    return new JsonObject().put("userInputMessage", new JsonObject()
        .put("content", preamble)
        .put("userInputMessageContext", new JsonObject().put("envState", template.envState()))
        .put("origin", template.origin()));
  }

  private static boolean isStartPlaceholder(Message m) {
    return m instanceof UserMessage u && u.text().equals(HISTORY_START_PLACEHOLDER) && u.toolResults().isEmpty() && u.images().isEmpty();
  }

  /** §6.6: the prompt convention that makes the model think in {@code <thinking>} tags, placed last (q2api 239f373). */
  static String thinkingHint(Conversation c) {
    int length = c.thinkingBudget() > 0 ? c.thinkingBudget() : DEFAULT_THINKING_LENGTH;
    return "<thinking_mode>interleaved</thinking_mode><max_thinking_length>" + length + "</max_thinking_length>";
  }

  private static String withHint(String content, String hint) {
    if (hint == null || content.endsWith(hint)) return content;
    if (content.isEmpty()) return hint;
    return content + (content.endsWith("\n") ? "" : "\n") + hint;
  }

  private JsonObject historyUser(UserMessage u, String thinkingHint) {
    JsonObject context = new JsonObject().put("envState", template.envState());
    if (!u.toolResults().isEmpty()) context.put("toolResults", toolResults(u.toolResults()));
    JsonObject msg = new JsonObject()
        .put("content", u.toolResults().isEmpty() || !u.text().isBlank() ? withHint(u.text(), thinkingHint) : "")
        .put("userInputMessageContext", context)
        .put("origin", template.origin());
    if (!u.images().isEmpty()) msg.put("images", images(u.images()));
    return new JsonObject().put("userInputMessage", msg);
  }

  private static JsonObject historyAssistant(AssistantMessage a) {
    JsonObject msg = new JsonObject()
        .put("messageId", RandomIds.uuid())
        .put("content", a.text());
    if (!a.toolCalls().isEmpty()) {
      JsonArray uses = new JsonArray();
      for (ToolCall t : a.toolCalls()) {
        uses.add(new JsonObject().put("toolUseId", t.id()).put("name", ToolNames.toQ(t.name())).put("input", t.input()));
      }
      msg.put("toolUses", uses);
    }
    return new JsonObject().put("assistantResponseMessage", msg);
  }

  private static JsonArray toolResults(List<ToolResult> results) {
    JsonArray out = new JsonArray();
    for (ToolResult r : results) {
      JsonArray content = new JsonArray();
      for (String s : r.content()) content.add(new JsonObject().put("text", s));
      out.add(new JsonObject().put("toolUseId", r.toolUseId()).put("content", content)
          .put("status", r.error() ? "error" : "success"));
    }
    return out;
  }

  private static JsonArray images(List<Image> images) {
    JsonArray out = new JsonArray();
    for (Image i : images) {
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
