package dev.descartes.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.descartes.runner.internal.io.JsonLines;
import dev.descartes.runner.internal.io.JsonTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON decoder of stdout lines: one non-blocking parser shared by a read's lines ({@link
 * JsonLines}, what the runner does), the tree built from a streaming parser per line ({@link
 * JsonTree}, what it did before) against {@code ObjectMapper.readTree} on the bytes (earlier still)
 * and on a {@code String} (what a {@code BufferedReader} consumer does), for the harness's 200-byte
 * line and a Claude-style stream-json line. Average time per line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonDecoderBench {

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private final byte[] benchLine = line();
  private final String benchText = new String(benchLine, StandardCharsets.UTF_8);
  private final byte[] claudeLine =
      ("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":"
              + "\"assistant\",\"model\":\"claude-sonnet-4\",\"content\":[{\"type\":\"tool_use\","
              + "\"id\":\"toolu_01\",\"name\":\"Bash\",\"input\":{\"command\":\"ls -1\"}}],"
              + "\"stop_reason\":null,\"usage\":{\"input_tokens\":4,\"output_tokens\":61,"
              + "\"cache_read_input_tokens\":13801}},\"session_id\":\"0642426c-4b0e\"}\n")
          .getBytes(StandardCharsets.UTF_8);

  private static byte[] line() {
    String head = "{\"type\":\"assistant\",\"seq\":123456,\"text\":\"";
    return (head + "x".repeat(200 - head.length() - 3) + "\"}\n").getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public JsonNode streamingTree200() throws IOException {
    return JsonTree.parseObject(MAPPER, benchLine);
  }

  /** One parser for a read's lines, as the runner uses it: here a batch of 1000 lines. */
  private JsonLines batch = new JsonLines(MAPPER);

  private int inBatch;

  private JsonLines batch() {
    if (++inBatch == 1000) {
      batch.close();
      batch = new JsonLines(MAPPER);
      inBatch = 0;
    }
    return batch;
  }

  @Benchmark
  public JsonNode sharedParser200() throws IOException {
    return batch().parseObject(benchLine);
  }

  @Benchmark
  public JsonNode sharedParserClaude() throws IOException {
    return batch().parseObject(claudeLine);
  }

  @Benchmark
  public JsonNode readTreeBytes200() throws IOException {
    return MAPPER.readTree(benchLine);
  }

  @Benchmark
  public JsonNode readTreeString200() throws IOException {
    return MAPPER.readTree(benchText);
  }

  @Benchmark
  public JsonNode streamingTreeClaude() throws IOException {
    return JsonTree.parseObject(MAPPER, claudeLine);
  }

  @Benchmark
  public JsonNode readTreeBytesClaude() throws IOException {
    return MAPPER.readTree(claudeLine);
  }
}
