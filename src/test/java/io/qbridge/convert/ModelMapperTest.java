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
}
