package io.qbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ConversationKeysTest {

  private static final String SESSION = "user_abc_account__session_0b5f3c2e-1111-2222-3333-444455556666";

  @Test
  void claudeMetadataUserId() {
    String k = ConversationKeys.fromClaude(new JsonObject().put("metadata", new JsonObject().put("user_id", SESSION)));
    assertThat(k).hasSize(32).matches("[0-9a-f]+").doesNotContain("session");
    assertThat(ConversationKeys.fromClaude(new JsonObject().put("metadata", new JsonObject().put("user_id", SESSION)))).isEqualTo(k);
    assertThat(ConversationKeys.fromClaude(new JsonObject().put("metadata", new JsonObject().put("user_id", SESSION + "x")))).isNotEqualTo(k);
  }

  @Test
  void openAiPromptCacheKeyBeforeUser() {
    JsonObject both = new JsonObject().put("prompt_cache_key", "codex-session-1").put("user", "alice");
    JsonObject userOnly = new JsonObject().put("user", "alice");
    assertThat(ConversationKeys.fromChatCompletions(both)).isEqualTo(ConversationKeys.fromChatCompletions(new JsonObject().put("prompt_cache_key", "codex-session-1")));
    assertThat(ConversationKeys.fromChatCompletions(userOnly)).isNotNull().isNotEqualTo(ConversationKeys.fromChatCompletions(both));
    // the same text in different fields is a different key
    assertThat(ConversationKeys.fromChatCompletions(new JsonObject().put("user", "codex-session-1")))
        .isNotEqualTo(ConversationKeys.fromChatCompletions(new JsonObject().put("prompt_cache_key", "codex-session-1")));
  }

  @Test
  void responsesPromptCacheKeyElsePreviousResponse() {
    assertThat(ConversationKeys.fromResponses(new JsonObject().put("prompt_cache_key", "s1").put("previous_response_id", "resp_1")))
        .isEqualTo(ConversationKeys.fromChatCompletions(new JsonObject().put("prompt_cache_key", "s1")));
    assertThat(ConversationKeys.fromResponses(new JsonObject().put("previous_response_id", "resp_1")))
        .isEqualTo(ConversationKeys.responseId("resp_1"));
  }

  @Test
  void noUsableFieldNoKeyAndPromptsAreNeverUsed() {
    JsonObject prompt = new JsonObject().put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    assertThat(ConversationKeys.fromClaude(prompt)).isNull();
    assertThat(ConversationKeys.fromChatCompletions(prompt)).isNull();
    assertThat(ConversationKeys.fromResponses(new JsonObject().put("input", "hi"))).isNull();
    assertThat(ConversationKeys.fromClaude(new JsonObject().put("metadata", new JsonObject().put("user_id", 42)))).isNull();
    assertThat(ConversationKeys.fromClaude(new JsonObject().put("metadata", "x"))).isNull();
    assertThat(ConversationKeys.fromChatCompletions(new JsonObject().put("user", "  "))).isNull();
    assertThat(ConversationKeys.fromChatCompletions(new JsonObject().put("user", "x".repeat(513)))).isNull();
    assertThat(ConversationKeys.fromClaude(null)).isNull();
  }
}
