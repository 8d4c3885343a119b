package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  /** What a line came to: its object, null, or that it was not valid JSON. */
  private record Result(ObjectNode object, boolean invalid) {
    static Result of(ObjectNode o) {
      return new Result(o, false);
    }

    static final Result INVALID = new Result(null, true);
  }

  private static Result perLine(byte[] line) {
    try {
      return Result.of(JsonTree.parseObject(MAPPER, line));
    } catch (IOException e) {
      return Result.INVALID;
    }
  }

  private static Result shared(JsonLines lines, byte[] line) {
    try {
      return Result.of(lines.parseObject(line));
    } catch (IOException e) {
      return Result.INVALID;
    }
  }

  /** Parses {@code lines} as one batch and checks each line against a parser of its own. */
  private static void assertSameAsPerLine(List<byte[]> lines) {
    List<Result> expected = new ArrayList<>();
    List<Result> got = new ArrayList<>();
    try (JsonLines json = new JsonLines(MAPPER)) {
      for (byte[] line : lines) {
        expected.add(perLine(line));
        got.add(shared(json, line));
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      assertThat(got.get(i))
          .as("line %d: %s", i, new String(lines.get(i), StandardCharsets.UTF_8))
          .isEqualTo(expected.get(i));
    }
  }

  private static List<byte[]> lines(String... texts) {
    List<byte[]> out = new ArrayList<>();
    for (String t : texts) {
      out.add(t.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void consecutiveObjectLinesGiveTheTreesOfAParserPerLine() {
    List<byte[]> lines =
        lines(
            "{\"type\":\"assistant\",\"seq\":1,\"text\":\"hello\"}\n",
            "{\"n\":-12,\"big\":123456789012345678901234567890,\"l\":12345678901,\"f\":1.5e-3}\n",
            "  {\"nested\":{\"a\":[1,[2,{\"b\":null}],true,false]},\"e\":{}}\r\n",
            "{\"esc\":\"tab\\t quote\\\" \\u00e9 snow \\u2603\",\"utf8\":\"日本語 ✓ 🚀\"}\n",
            "{\"dup\":1,\"dup\":2}\n",
            "{}\n",
            "{\"last\":\"no newline\"}");
    assertSameAsPerLine(lines);
    try (JsonLines json = new JsonLines(MAPPER)) {
      assertThat(shared(json, lines.get(0)).object().get("text").asText()).isEqualTo("hello");
      assertThat(shared(json, lines.get(4)).object().get("dup").asInt()).isEqualTo(2);
    }
  }

  @Test
  void linesThatAreNotOneWholeObjectAreDecidedAsAParserPerLineDecidesThem() {
    assertSameAsPerLine(
        lines(
            "{\"ok\":1}\n",
            "{\"cut\":\"short\n",
            "{\"after\":\"a cut line\"}\n",
            "{\"a\":1} trailing words\n",
            "{\"after\":\"trailing\"}\n",
            "{\"a\":1}{\"b\":2}\n",
            "[1,2,3]\n",
            "not json at all\n",
            "{not: json}\n",
            "\n",
            "{\n",
            "}\n",
            "{\"a\":1,}\n",
            "{\"a\" 1}\n",
            "{\"x\":" + "[".repeat(200) + "]".repeat(200) + "}\n",
            "{\"still\":\"fine\"}\n"));
  }

  @Test
  void manyBadLinesInOneBatchStillGetTheirOwnVerdict() {
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      batch.add(("{\"bad\":" + i + ",\n").getBytes(StandardCharsets.UTF_8));
      batch.add(("{\"good\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
    }
    assertSameAsPerLine(batch);
  }

  @Test
  void randomlyDamagedLinesGiveWhatAParserPerLineGives() {
    Random random = new Random(20261201);
    String[] seeds = {
      "{\"type\":\"assistant\",\"seq\":7,\"text\":\"xxxxxxxxxx\"}\n",
      "{\"a\":[1,2.5,{\"b\":\"\\u00e9\"}],\"c\":null,\"d\":true}\n",
      "{\"k\":\"日本\",\"n\":{\"m\":{}}}\n",
    };
    byte[] noise = "{}[]\":,\\ \n1e-x".getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 200; round++) {
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        byte[] line = seeds[random.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(4)) {
          case 0 -> line = java.util.Arrays.copyOf(line, random.nextInt(line.length + 1));
          case 1 -> line[random.nextInt(line.length)] = noise[random.nextInt(noise.length)];
          case 2 -> {
            line = java.util.Arrays.copyOf(line, line.length + 3);
            for (int k = 1; k <= 3; k++) {
              line[line.length - k] = noise[random.nextInt(noise.length)];
            }
          }
          default -> {}
        }
        batch.add(line);
      }
      assertSameAsPerLine(batch);
    }
  }

  @Test
  void resultsAreEqualTreesNotTheSameObjects() {
    byte[] line = "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8);
    try (JsonLines json = new JsonLines(MAPPER)) {
      ObjectNode first = shared(json, line).object();
      ObjectNode second = shared(json, line).object();
      assertThat(first).isEqualTo(second);
      assertThat(Objects.equals(first, perLine(line).object())).isTrue();
      first.put("changed", true);
      assertThat(second.has("changed")).isFalse();
    }
  }
}
