package dev.descartes.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.AgentId;
import dev.descartes.runner.internal.io.LineBatch;
import dev.descartes.runner.internal.io.OutputBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputPipelineTest {

  /** Records each batch's lines as text; throws on the batches it is told to. */
  private static final class Recorder implements OutputPipeline.LineHandler {
    final List<String> seen = new ArrayList<>();
    int failures;

    @Override
    public void lines(LineBatch batch, long atMillis) {
      for (int i = 0; i < batch.size(); i++) {
        seen.add(
            new String(batch.array(i), batch.start(i), batch.length(i), StandardCharsets.US_ASCII));
      }
      if (failures > 0) {
        failures--;
        throw new IllegalStateException("handler failed");
      }
    }

    @Override
    public boolean needsArrays() {
      return false;
    }

    @Override
    public long handled() {
      return seen.size();
    }
  }

  @Test
  void aBatchWhoseHandlingFailedIsNotHandedOnAgainWithTheNextReadOverItsBuffer() {
    Recorder handler = new Recorder();
    handler.failures = 1;
    OutputPipeline out =
        new OutputPipeline(
            AgentId.random(), "a", 1 << 20, 0, OutputBudget.unlimited(), 4096, null, handler);
    byte[] read = "a\nb\n".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> out.data(read, 0, read.length))
        .isInstanceOf(IllegalStateException.class);
    byte[] next = "c\nd\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(next, 0, read, 0, next.length); // the same buffer, reused by the next read
    out.data(read, 0, read.length);
    assertThat(handler.seen).containsExactly("a\n", "b\n", "c\n", "d\n");
    assertThat(out.lines()).isEqualTo(4);
  }
}
