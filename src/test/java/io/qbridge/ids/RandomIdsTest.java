package io.qbridge.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

  @Test
  void uuidsAreVersion4IetfVariantAndParseBackToTheSameText() {
    for (int i = 0; i < 10_000; i++) {
      String text = RandomIds.uuid();
      UUID parsed = UUID.fromString(text);
      assertThat(parsed.version()).isEqualTo(4);
      assertThat(parsed.variant()).isEqualTo(2);
      assertThat(parsed.toString()).isEqualTo(text);
    }
  }

  @Test
  void hexIdsAreThirtyTwoLowercaseHexDigits() {
    assertThat(RandomIds.hex32()).matches("[0-9a-f]{32}");
  }

  @Test
  void idsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) assertThat(seen.add(RandomIds.hex32())).isTrue();
  }
}
