package io.qbridge.convert;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The API-neutral conversation both front ends (Anthropic Messages and OpenAI Chat Completions)
 * parse into, and the single input of {@link AmazonQRequestBuilder}. Messages are in client order;
 * alternation repair happens in the builder, once, for both APIs.
 *
 * @param clientModel the model name the client asked for (echoed back in responses)
 * @param modelId     the Amazon Q {@code modelId} it maps to
 * @param system      system prompt text, empty when none
 * @param messages    user/assistant messages in order
 * @param tools       tool specifications offered to the model
 * @param thinking    whether the client asked for reasoning output
 * @param thinkingBudget requested reasoning length in tokens, 0 for the default
 */
public record Conversation(
    String clientModel,
    String modelId,
    String system,
    List<Message> messages,
    List<ToolSpec> tools,
    boolean thinking,
    int thinkingBudget) {

  public Conversation {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    system = system == null ? "" : system;
  }

  public sealed interface Message permits UserMessage, AssistantMessage {}

  /** A user turn: text, tool results answering the previous assistant turn, images. */
  public record UserMessage(String text, List<ToolResult> toolResults, List<Image> images) implements Message {
    public UserMessage {
      text = text == null ? "" : text;
      toolResults = List.copyOf(toolResults);
      images = List.copyOf(images);
    }

    public static UserMessage text(String text) { return new UserMessage(text, List.of(), List.of()); }
  }

  /** An assistant turn: text (thinking already wrapped in tags) and tool calls. */
  public record AssistantMessage(String text, List<ToolCall> toolCalls) implements Message {
    public AssistantMessage {
      text = text == null ? "" : text;
      toolCalls = List.copyOf(toolCalls);
    }

    public static AssistantMessage text(String text) { return new AssistantMessage(text, List.of()); }
  }

  public record ToolSpec(String name, String description, JsonObject inputSchema) {}

  public record ToolCall(String id, String name, JsonObject input) {}

  /** @param content text pieces of the result, in order */
  public record ToolResult(String toolUseId, List<String> content, boolean error) {
    public ToolResult {
      content = List.copyOf(content);
    }
  }

  /** @param format png, jpeg, gif or webp; @param base64 the bytes, base64 without a data: prefix */
  public record Image(String format, String base64) {}
}
