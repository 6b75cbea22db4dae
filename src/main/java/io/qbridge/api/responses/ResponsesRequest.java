package io.qbridge.api.responses;

import io.qbridge.convert.Conversation.ToolSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A parsed {@code POST /v1/responses} request. The conversation is not built yet: with
 * {@code previous_response_id} the stored items go in front of {@link #input()} first (see
 * {@link ResponsesConversation}).
 *
 * @param model              the client's model name (echoed back)
 * @param input              the request's input items, normalised (a string input becomes one user message)
 * @param instructions       {@code instructions}, null when absent (not carried over by previous_response_id, as OpenAI)
 * @param formatInstruction  what {@code text.format} asks for, as a system-prompt instruction; empty for plain text
 * @param tools              tool specs offered to Amazon Q (function tools, namespaced functions flattened)
 * @param namespaces         offered name → namespace/function for the functions of namespace tools
 * @param thinking           {@code reasoning} asked for: Amazon Q's thinking convention on
 * @param thinkingBudget     thinking length hint from {@code reasoning.effort}, 0 = the builder's default
 * @param stream             SSE events instead of one response object
 * @param store              keep the response for GET and previous_response_id
 * @param previousResponseId the stored response this one continues, or null
 * @param maxOutputTokens    local output limit, 0 = none
 * @param includeEncryptedReasoning {@code include} holds {@code reasoning.encrypted_content}
 * @param echo               the request fields a response object repeats (tools, tool_choice, reasoning, text, …)
 */
record ResponsesRequest(
    String model,
    JsonArray input,
    String instructions,
    String formatInstruction,
    List<ToolSpec> tools,
    Namespaces namespaces,
    boolean thinking,
    int thinkingBudget,
    boolean stream,
    boolean store,
    String previousResponseId,
    int maxOutputTokens,
    boolean includeEncryptedReasoning,
    JsonObject echo) {

  ResponsesRequest {
    tools = List.copyOf(tools);
  }
}
