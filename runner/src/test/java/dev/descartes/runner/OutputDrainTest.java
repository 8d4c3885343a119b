package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * stdout and stderr are drained whether or not anyone reads; memory stays bounded by the window
 * whatever the agent writes; a reader that falls behind learns what it missed; transcripts keep
 * every byte.
 */
@ExtendWith(LeakCheck.class)
class OutputDrainTest {

  @TempDir Path dir;

  @Test
  void anAgentNeverBlocksOnAFullPipeThatNobodyReads() throws Exception {
    // 32 MiB on each stream, far beyond a 64 KiB pipe buffer; nobody reads either stream.
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("flood")
                  .command(
                      Scripts.shell(
                          "head -c 33554432 /dev/zero | tr '\\0' 'x' | fold -w 100; "
                              + "head -c 33554432 /dev/zero | tr '\\0' 'y' | fold -w 100 >&2"))
                  .build());
      assertThat(h.waitFor().success()).isTrue();
      assertThat(h.stdout().totalBytes()).isEqualTo(33554432L + 33554432L / 100);
      assertThat(h.stderr().totalBytes()).isEqualTo(33554432L + 33554432L / 100);
    }
  }

  @Test
  void aFloodOfLinesKeepsMemoryBoundedAndTheReaderLearnsWhatItMissed() throws Exception {
    long window = 1 << 20;
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .outputWindowBytes(window)
                .maxLineBytes(64 * 1024)
                .pinnedHeadBytes(0))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("lines").command(Scripts.shell("seq 1 500000")).build());
      h.waitFor();
      long lines = h.stdout().totalLines();
      assertThat(lines).isEqualTo(500000);
      List<String> read = new ArrayList<>();
      Optional<OutputLine> l;
      while ((l = h.stdout().poll()).isPresent()) {
        read.add(l.get().text());
      }
      assertThat(h.stdout().missedLines()).isPositive();
      assertThat(h.stdout().missedLines() + read.size()).isEqualTo(lines);
      assertThat(read.getLast()).isEqualTo("500000"); // the newest output survives
      assertThat(h.stdout().missedBytes() + read.stream().mapToLong(s -> s.length() + 1).sum())
          .isEqualTo(h.stdout().totalBytes());
      assertThat(h.stdout().isFinished()).isTrue();
    }
  }

  @Test
  void theFirstLinesAreKeptAfterTheWindowOverflows() throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .outputWindowBytes(1 << 20)
                .maxLineBytes(64 * 1024)
                .pinnedHeadBytes(4096))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("head")
                  .command(
                      Scripts.shell(
                          "echo '{\"type\":\"system\",\"session_id\":\"abc\"}'; seq 1 300000"))
                  .build());
      h.waitFor();
      assertThat(h.stdout().poll().orElseThrow().text()).contains("session_id");
      assertThat(h.stdout().poll().orElseThrow().text()).isEqualTo("1");
    }
  }

  @Test
  void aGiantSingleLineArrivesInBoundedPiecesAndTheTranscriptHasItWhole() throws Exception {
    int maxLine = 1 << 20;
    long size = 64L << 20; // one 64 MiB line
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .outputWindowBytes(4L << 20)
                .maxLineBytes(maxLine)
                .transcriptDir(dir))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("giant")
                  .command(Scripts.shell("head -c " + size + " /dev/zero | tr '\\0' 'a'; echo"))
                  .build());
      h.waitFor();
      List<OutputLine> pieces = new ArrayList<>();
      Optional<OutputLine> l;
      while ((l = h.stdout().poll()).isPresent()) {
        pieces.add(l.get());
      }
      assertThat(pieces)
          .isNotEmpty()
          .allSatisfy(
              p -> {
                assertThat(p.bytes().length).isLessThanOrEqualTo(maxLine);
                assertThat(p.complete()).isFalse();
              });
      assertThat(pieces.getLast().bytes()[pieces.getLast().bytes().length - 1])
          .isEqualTo((byte) '\n');
      assertThat(h.stdout().missedBytes() + pieces.stream().mapToLong(p -> p.bytes().length).sum())
          .isEqualTo(size + 1);
      assertThat(Files.size(h.stdout().transcript().orElseThrow())).isEqualTo(size + 1);
    }
  }

  @Test
  void binaryAndInvalidUtf8PassThroughByteExact() throws Exception {
    Path data = dir.resolve("data.bin");
    byte[] bytes = new byte[256 * 64];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    Files.write(data, bytes);
    Path transcripts = Files.createDirectory(dir.resolve("t"));
    try (var runner = TestRunners.runner(TestRunners.config().transcriptDir(transcripts))) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("bin").command("cat", data.toString()).build());
      h.waitFor();
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      Optional<byte[]> line;
      while ((line = h.readStdout()).isPresent()) {
        joined.write(line.get());
      }
      assertThat(joined.toByteArray()).isEqualTo(bytes);
      assertThat(Files.readAllBytes(h.stdout().transcript().orElseThrow())).isEqualTo(bytes);
    }
  }

  @Test
  void transcriptsKeepEveryByteOfBothStreamsEvenWhenNobodyReads() throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .transcriptDir(dir)
                .outputWindowBytes(1 << 20)
                .maxLineBytes(64 * 1024))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("both")
                  .command(Scripts.shell("seq 1 400000; seq 400000 -1 1 >&2"))
                  .build());
      h.waitFor();
      Path out = h.stdout().transcript().orElseThrow();
      Path err = h.stderr().transcript().orElseThrow();
      assertThat(out.getFileName().toString()).startsWith("both-").endsWith(".stdout");
      assertThat(sha256(Files.readAllBytes(out))).isEqualTo(sha256(seq(1, 400000)));
      assertThat(sha256(Files.readAllBytes(err))).isEqualTo(sha256(seqDown(400000)));
    }
  }

  /**
   * The drain timeout is for pipes that processes outside the agent's tree keep open: a listener
   * still working through what the agent wrote before it exited (more than one read, most of it
   * still in the pipe when the agent exits) gets every line, however long that takes past the
   * timeout.
   */
  @Test
  void aSlowListenerGetsEveryLineTheAgentWroteBeforeItExited() throws Exception {
    int lines = 40_000;
    try (var runner =
        TestRunners.runner(TestRunners.config().outputDrainTimeout(Duration.ofMillis(200)))) {
      List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      runner.onEvent(
          e -> {
            if (e instanceof AgentEvent.RawLine l) {
              java.util.concurrent.locks.LockSupport.parkNanos(50_000); // a slow consumer
              seen.add(l.text());
            }
          });
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("quick").command(Scripts.shell("seq 1 " + lines)).build());
      assertThat(h.waitFor(Duration.ofMinutes(1))).isPresent();
      assertThat(seen).hasSize(lines);
      assertThat(seen.getLast()).isEqualTo(Integer.toString(lines));
      assertThat(h.stdout().totalLines()).isEqualTo(lines);
    }
  }

  @Test
  void outputWrittenJustBeforeExitIsReadableAfterWaitFor() throws Exception {
    try (var runner = TestRunners.runner()) {
      for (int i = 0; i < 20; i++) {
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder()
                    .name("last")
                    .command(Scripts.shell("seq 1 1000; printf 'no newline at end'"))
                    .build());
        h.waitFor();
        String last = null;
        Optional<OutputLine> l;
        while ((l = h.stdout().poll()).isPresent()) {
          last = l.get().text();
        }
        assertThat(last).isEqualTo("no newline at end");
        assertThat(h.stdout().totalLines()).isEqualTo(1001);
      }
    }
  }

  @Test
  void readingWithATimeoutWaitsForTheNextLine() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("cat").command("cat").build());
      assertThat(h.readStdout()).isEmpty();
      h.writeStdin("ping\n".getBytes());
      assertThat(h.readStdout(Duration.ofSeconds(30))).map(String::new).contains("ping\n");
      h.writeStdin("err\n".getBytes());
      assertThat(h.readStdout(Duration.ofSeconds(30))).map(String::new).contains("err\n");
      h.closeStdin();
      assertThat(h.waitFor().success()).isTrue();
      assertThat(h.readStdout(Duration.ofSeconds(1))).isEmpty();
      assertThat(h.info().metrics().stdinLines()).isEqualTo(2);
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static byte[] seq(int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i <= to; i++) {
      sb.append(i).append('\n');
    }
    return sb.toString().getBytes();
  }

  private static byte[] seqDown(int from) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i >= 1; i--) {
      sb.append(i).append('\n');
    }
    return sb.toString().getBytes();
  }
}
