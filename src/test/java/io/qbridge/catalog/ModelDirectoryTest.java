package io.qbridge.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelDirectoryTest {

  private static final ModelCatalog STATIC = ModelCatalog.ofIds(List.of("claude-sonnet-4.5", "claude-haiku-4.5"), 200_000, 64_000);

  @Test
  void unionOfFetchedCatalogsWithTheWiderLimits() {
    ModelCatalog a = ModelCatalog.of(List.of(new ModelInfo("claude-sonnet-4.6", "Claude Sonnet 4.6", 200_000, 32_000),
        new ModelInfo("claude-sonnet-4.5", null, 200_000, 64_000)), null, true);
    ModelCatalog b = ModelCatalog.of(List.of(new ModelInfo("claude-sonnet-4.6", null, 1_000_000, 64_000),
        new ModelInfo("deepseek-3.2", null, 128_000, 8_000)), null, true);

    ModelDirectory d = ModelDirectory.union(List.of(a, b, STATIC), STATIC);

    assertThat(d.fromAccounts()).isTrue();
    assertThat(d.ids()).containsExactly("claude-sonnet-4.6", "claude-sonnet-4.5", "deepseek-3.2");
    assertThat(d.get("claude-sonnet-4.6")).isEqualTo(new ModelInfo("claude-sonnet-4.6", "Claude Sonnet 4.6", 1_000_000, 64_000));
    assertThat(ModelDirectory.fromJson(d.toJson())).isEqualTo(d);
  }

  @Test
  void staticFallbackWhenNoAccountAnswered() {
    ModelDirectory d = ModelDirectory.union(List.of(STATIC), STATIC);
    assertThat(d.fromAccounts()).isFalse();
    assertThat(d.ids()).containsExactly("claude-sonnet-4.5", "claude-haiku-4.5");
    assertThat(ModelDirectory.union(List.of(), STATIC)).isEqualTo(d);
    assertThat(ModelDirectory.fromJson(new io.vertx.core.json.JsonObject())).isNull();
  }
}
