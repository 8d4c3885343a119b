package dev.descartes.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theStreamingTreeIsTheTreeReadTreeMakes() throws IOException {
    List<String> lines =
        List.of(
            "{\"type\":\"assistant\",\"seq\":12,\"text\":\"xxx\"}\n",
            "{\"a\":[1,2.5,-3e10,true,false,null,{\"b\":[]}],\"c\":{}}",
            "{\"int\":2147483647,\"long\":9223372036854775807,\"big\":123456789012345678901234567890}",
            "{\"esc\":\"tab\\tquote\\\" uni\\u00e9 \\ud83d\\ude00\",\"dup\":1,\"dup\":2}",
            "  {\"trailing\":1} garbage after the object",
            "{\"nested\":" + "[".repeat(60) + "1" + "]".repeat(60) + "}",
            // strings next to strings, with spaces, empty, long, escaped, non-ASCII, DEL
            "{\"a\":\"b\",\"c\":\"d\",\"e\":[\"f\",\"\",\"g\"],\"h\":\"\"}",
            "{ \"a\" : \"x y\" , \"b\" :\t\"z\" }",
            "{\"long\":\"" + "abcdefgh".repeat(40) + "\",\"k\":\"" + "q".repeat(17) + "\\\"r\"}",
            "{\"utf8\":\"caf\u00e9 \u00e9t\u00e9 \ud83d\ude00 plain after\",\"del\":\"\u007f\u007f\"}",
            "{\"s\":\"0123456\\n0123456789abcdef\",\"t\":\"12345678\"}");
    for (String line : lines) {
      assertThat(EventDecoder.parseObject(bytes(line)))
          .as(line)
          .isEqualTo(EventDecoder.MAPPER.readTree(bytes(line)));
    }
  }

  @Test
  void stringValuesOfEveryLengthAndEveryKindOfByteAreWhatReadTreeMakes() throws IOException {
    java.util.Random random = new java.util.Random(3);
    String[] pieces = {
      "a", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\u00e9", "\ud83d\ude00", "\u007f", "'"
    };
    for (int round = 0; round < 3000; round++) {
      StringBuilder value = new StringBuilder();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        value.append(random.nextInt(3) == 0 ? pieces[random.nextInt(pieces.length)] : "x");
      }
      String line = "{\"k\":\"" + value + "\",\"" + value + "\":[\"" + value + "\"," + round + "]}";
      assertThat(EventDecoder.parseObject(bytes(line)))
          .as(line)
          .isEqualTo(EventDecoder.MAPPER.readTree(bytes(line)));
    }
  }

  @Test
  void nestingDeeperThanTheRecursionLimitStillParses() throws IOException {
    String deep = "{\"d\":" + "[".repeat(1500) + "]".repeat(1500) + "}";
    com.fasterxml.jackson.databind.JsonNode node = EventDecoder.parseObject(bytes(deep)).get("d");
    int depth = 0;
    while (node.isArray() && !node.isEmpty()) {
      node = node.get(0);
      depth++;
    }
    assertThat(depth).isEqualTo(1499); // compared by walking: equals() itself recurses
  }

  @Test
  void aLineWhoseFirstValueIsNotAnObjectGivesNoObject() throws IOException {
    assertThat(EventDecoder.parseObject(bytes("[1,2]"))).isNull();
    assertThat(EventDecoder.parseObject(bytes("\"text\""))).isNull();
  }

  @Test
  void aTruncatedOrInvalidObjectIsAnError() {
    assertThatThrownBy(() -> EventDecoder.parseObject(bytes("{\"a\":[1,2")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> EventDecoder.parseObject(bytes("{\"a\":}")))
        .isInstanceOf(IOException.class);
  }
}
