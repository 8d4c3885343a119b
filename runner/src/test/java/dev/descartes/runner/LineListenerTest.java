package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line listener sees every stdout line as a view of the runner's buffer: byte-exact, in order,
 * the same lines as the events, long lines in the same pieces, and nothing after it is removed.
 */
@ExtendWith(LeakCheck.class)
class LineListenerTest {

  /** What one listener saw of one agent: the bytes in order, and the pieces' flags. */
  private static final class Seen {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Boolean> complete = new ArrayList<>();
    final List<Integer> lengths = new ArrayList<>();

    void add(byte[] buf, int off, int len, boolean isComplete) {
      bytes.write(buf, off, len);
      complete.add(isComplete);
      lengths.add(len);
    }
  }

  @Test
  void aLineListenerSeesEveryLineByteExactAndInTheSamePiecesAsTheEvents(@TempDir Path dir)
      throws Exception {
    // 100,000 numbered lines, a line of 10,000 bytes (cut at 4,096), and a last line with no
    // newline
    Path script = dir.resolve("out.sh");
    Files.writeString(
        script,
        "seq 1 100000\n" + "head -c 10000 /dev/zero | tr '\\0' x; echo\n" + "printf 'last line'\n");
    try (var runner = TestRunners.runner(TestRunners.config().maxLineBytes(4096))) {
      Seen views = new Seen();
      Seen events = new Seen();
      try (AutoCloseable _ =
              runner.onLine(
                  (agent, buf, off, len, complete) -> views.add(buf, off, len, complete));
          AutoCloseable _ =
              runner.onEvent(
                  e -> {
                    if (e instanceof AgentEvent.RawLine l) {
                      events.add(l.line(), 0, l.line().length, l.complete());
                    }
                  })) {
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder().name("lines").command(Scripts.shell("sh " + script)).build());
        assertThat(h.waitFor().success()).isTrue();
      }
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      for (int i = 1; i <= 100_000; i++) {
        expected.writeBytes((i + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      expected.writeBytes(("x".repeat(10_000) + "\n").getBytes(StandardCharsets.US_ASCII));
      expected.writeBytes("last line".getBytes(StandardCharsets.US_ASCII));
      assertThat(views.bytes.toByteArray()).isEqualTo(expected.toByteArray());
      assertThat(views.lengths).hasSize(100_000 + 3 + 1);
      assertThat(views.lengths.subList(100_000, 100_004)).containsExactly(4096, 4096, 1809, 9);
      assertThat(views.complete.subList(100_000, 100_004))
          .containsExactly(false, false, false, true);
      assertThat(views.complete.subList(0, 100_000)).doesNotContain(false);
      assertThat(events.bytes.toByteArray()).isEqualTo(expected.toByteArray());
      assertThat(events.lengths).isEqualTo(views.lengths);
      assertThat(events.complete).isEqualTo(views.complete);

      // removed: a later agent's lines reach no one
      int before = views.lengths.size();
      AgentHandle later =
          runner.spawn(
              AgentConfig.builder().name("later").command(Scripts.shell("echo unseen")).build());
      assertThat(later.waitFor().success()).isTrue();
      assertThat(views.lengths).hasSize(before);
      assertThat(later.stdout().poll()).map(OutputLine::text).contains("unseen");
    }
  }

  @Test
  void withOnlyALineListenerTheWindowStillHoldsTheNewestLinesByteExact() throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config().outputWindowBytes(1 << 20).maxLineBytes(64 * 1024))) {
      Seen views = new Seen();
      try (AutoCloseable _ =
          runner.onLine((agent, buf, off, len, complete) -> views.add(buf, off, len, complete))) {
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder().name("seq").command(Scripts.shell("seq 1 300000")).build());
        assertThat(h.waitFor().success()).isTrue();
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= 300_000; i++) {
          all.append(i).append('\n');
        }
        assertThat(views.bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(all.toString());
        // the handle's latest-lines reader: the pinned head, one gap, then the newest lines
        AgentOutput out = h.stdout();
        List<String> read = new ArrayList<>();
        java.util.Optional<OutputLine> l;
        while ((l = out.poll()).isPresent()) {
          read.add(l.get().text());
        }
        assertThat(out.missedLines()).isPositive();
        assertThat(read.size() + out.missedLines()).isEqualTo(300_000);
        assertThat(read.getFirst()).isEqualTo("1");
        int tail = read.size() - 1;
        for (int i = 0; i < 1000; i++) {
          assertThat(read.get(tail - i)).isEqualTo(String.valueOf(300_000 - i));
        }
        // a line of about 7 bytes is charged 7 + 64 (its share of the columns): about 14,700 lines
        assertThat(read.size()).as("most of a 1 MiB window").isGreaterThan(11_000);
      }
    }
  }
}
