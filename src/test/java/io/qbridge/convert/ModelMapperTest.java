package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelMapperTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "claude-sonnet-4, claude-sonnet-4",
      "claude-sonnet-4.5, claude-sonnet-4.5",
      "claude-haiku-4.5, claude-haiku-4.5",
      "claude-opus-4.5, claude-opus-4.5",
      "CLAUDE-SONNET-4.5, claude-sonnet-4.5",
      "claude-sonnet-4-20250514, claude-sonnet-4",
      "claude-sonnet-4-5-20250929, claude-sonnet-4.5",
      "claude-haiku-4-5-20251001, claude-haiku-4.5",
      "claude-opus-4-5-20251101, claude-opus-4.5",
      "claude-3-5-sonnet-20241022, claude-sonnet-4.5",
      "claude-3-5-sonnet-20240620, claude-sonnet-4.5",
      "claude-3-7-sonnet-20250219, claude-3.7-sonnet",
      "claude-opus-4-8, claude-opus-4.5",
      "claude-haiku-9, claude-haiku-4.5",
      "anthropic/claude-sonnet-4.5, claude-sonnet-4.5",
      "auto, claude-sonnet-4.5",
      "gpt-4o, claude-sonnet-4.5",
  })
  void mapsClientNamesToQIds(String in, String expected) {
    assertThat(ModelMapper.toQModel(in)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void nullOrBlankUsesTheDefault() {
    assertThat(ModelMapper.toQModel(null)).isEqualTo(ModelMapper.DEFAULT_MODEL);
    assertThat(ModelMapper.toQModel(" ")).isEqualTo(ModelMapper.DEFAULT_MODEL);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "claude-opus-4-5-20251101, claude-opus-4.5",
      "claude-sonnet-4-6, claude-sonnet-4.6",
      "Anthropic/Claude-Haiku-4-5, claude-haiku-4.5",
      "claude-3-7-sonnet-latest, claude-3.7-sonnet",
      "deepseek-3.2, deepseek-3.2",
      "qwen3-coder-next, qwen3-coder-next",
  })
  void catalogIdsAreNormalisedWithoutFallback(String in, String expected) {
    assertThat(ModelMapper.toCatalogId(in)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} in [{1}] -> {2} ({3})")
  @CsvSource(delimiter = '|', value = {
      "claude-opus-4-5-20251101 | claude-sonnet-4.5 claude-opus-4.5     | claude-opus-4.5   | true",
      "claude-opus-4-5-20251101 | claude-sonnet-4.5 claude-haiku-4.5    | claude-sonnet-4.5 | false",
      "claude-opus-4-8          | claude-opus-4.5 claude-opus-4.6       | claude-opus-4.6   | false",
      "claude-opus-4            | claude-opus-4.5 claude-opus-4.6       | claude-opus-4.5   | false",
      "claude-sonnet-4-6        | claude-sonnet-4 claude-sonnet-4.5     | claude-sonnet-4.5 | false",
      "claude-sonnet-4-5        | claude-sonnet-4 claude-sonnet-4.6     | claude-sonnet-4.6 | false",
      "claude-haiku-4-5         | claude-sonnet-4.5 deepseek-3.2        | claude-sonnet-4.5 | false",
      "claude-haiku-4-5         | claude-sonnet-4 deepseek-3.2          | claude-sonnet-4   | false",
      "claude-haiku-4-5         | deepseek-3.2 minimax-m2.1             | deepseek-3.2      | false",
      "deepseek-3.1             | claude-sonnet-4.5 deepseek-3.2        | deepseek-3.2      | false",
      "gpt-4o                   | claude-opus-4.5 claude-sonnet-4.6     | claude-sonnet-4.6 | false",
  })
  void resolvesAgainstACatalogWithTheClosestOfTheFamily(String in, String available, String expected, boolean exact) {
    java.util.List<String> ids = java.util.List.of(available.trim().split("\\s+"));
    ModelMapper.Resolution r = ModelMapper.resolve(in, ids, ModelMapper.DEFAULT_MODEL);
    assertThat(r.modelId()).isEqualTo(expected);
    assertThat(r.exact()).isEqualTo(exact);
  }

  @org.junit.jupiter.api.Test
  void anEmptyCatalogResolvesToNothing() {
    assertThat(ModelMapper.resolve("claude-sonnet-4.5", java.util.List.of(), ModelMapper.DEFAULT_MODEL))
        .isEqualTo(new ModelMapper.Resolution(null, false));
  }
}
