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
            "{\"nested\":" + "[".repeat(60) + "1" + "]".repeat(60) + "}");
    for (String line : lines) {
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
