package io.qbridge.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseFrameTest {

  /**
   * Property: a string written directly is byte-for-byte what {@code Sse.event(name, jsonObject)}
   * sends (lone surrogate halves included: both become {@code ?} in UTF-8).
   */
  @Test
  void stringsAreEncodedExactlyAsJsonObjectEncodes() {
    long seed = 7;
    Random rnd = new Random(seed);
    String alphabet = "ab \"\\/\n\r\t\b\f\u0000\u001f\u007f é€😀<>&'";
    for (int run = 0; run < 5000; run++) {
      StringBuilder s = new StringBuilder();
      int len = rnd.nextInt(30);
      for (int i = 0; i < len; i++) {
        s.append(rnd.nextInt(10) == 0 ? (char) rnd.nextInt(0x80) : alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      String array = new JsonArray().add(s.toString()).encode();
      byte[] expected = Buffer.buffer(array.substring(1, array.length() - 1)).getBytes();
      byte[] actual = SseFrame.of(4).string(s.toString()).buffer().getBytes();
      assertThat(actual).as("seed %d run %d", seed, run).isEqualTo(expected);
    }
  }

  @Test
  void numbersNullAndConstants() {
    assertThat(SseFrame.of(4).raw(SseFrame.bytes("{\"n\":")).number(7).raw(SseFrame.bytes(",\"m\":")).number(1234567890123L)
        .raw(SseFrame.bytes(",\"s\":")).string(null).raw(SseFrame.bytes("}")).buffer().toString())
        .isEqualTo("{\"n\":7,\"m\":1234567890123,\"s\":null}");
  }
}
