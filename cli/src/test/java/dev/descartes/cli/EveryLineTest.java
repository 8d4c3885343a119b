package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing is lost on the way out: a million-line agent through each output mode, into a regular
 * file and into a pipe whose reader is slower than the agent, arrives whole and in order
 * (byte-exact with {@code --raw}); the agent waits for the command's output instead of losing
 * lines.
 */
@ExtendWith(CliLeakCheck.class)
class EveryLineTest {

  private static final int LINES = 1_000_000;
  private static final Pattern JSON_TEXT =
      Pattern.compile("\"type\":\"text\",.*\"text\":\"(\\d+)\"");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--raw", "--json", "text"})
  void aMillionLinesReachAFileWholeAndInOrder(String mode) throws IOException {
    Cli.Running r = Cli.run(dir, Map.of(), args(mode));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    if (mode.equals("--raw")) {
      assertThat(Files.mismatch(r.out(), expected())).as("byte-exact").isEqualTo(-1L);
    } else {
      try (BufferedReader in = Files.newBufferedReader(r.out(), StandardCharsets.UTF_8)) {
        assertThat(countInOrder(in, mode)).isEqualTo(LINES);
      }
    }
    assertThat(r.stderr()).doesNotContain("not shown").doesNotContain("gap");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--raw", "--json", "text"})
  void aMillionLinesReachASlowPipeReaderWholeAndInOrder(String mode) throws Exception {
    List<String> argv = Cli.command(args(mode));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().clear();
    pb.environment().putAll(Cli.env(Map.of()));
    Process p = pb.start();
    long lines;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(new SlowStream(p.getInputStream()), StandardCharsets.UTF_8),
            4096)) {
      lines = countInOrder(in, mode);
    }
    assertThat(p.waitFor(Cli.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
    assertThat(lines).isEqualTo(LINES);
  }

  private static String[] args(String mode) {
    return mode.equals("text")
        ? new String[] {"run", "--no-color", "-b", "seq-cli", String.valueOf(LINES)}
        : new String[] {"run", mode, "-b", "seq-cli", String.valueOf(LINES)};
  }

  private Path expected() throws IOException {
    Path p = dir.resolve("expected.txt");
    try (var w = Files.newBufferedWriter(p, StandardCharsets.US_ASCII)) {
      for (int i = 1; i <= LINES; i++) {
        w.write(Integer.toString(i));
        w.write('\n');
      }
    }
    return p;
  }

  /**
   * Counts the agent's lines (the numbers 1..N, each on its own line, or as the {@code text} of a
   * JSON event), failing at the first one out of order.
   */
  private static long countInOrder(BufferedReader in, String mode) throws IOException {
    long next = 1;
    String line;
    while ((line = in.readLine()) != null) {
      String number = null;
      if (mode.equals("--json")) {
        Matcher m = JSON_TEXT.matcher(line);
        if (m.find()) {
          number = m.group(1);
        }
      } else if (!line.isEmpty() && line.chars().allMatch(Character::isDigit)) {
        number = line;
      }
      if (number != null) {
        assertThat(Long.parseLong(number)).as("line %d", next).isEqualTo(next);
        next++;
      }
    }
    return next - 1;
  }

  /** A reader slower than the agent: small reads with a pause after each. */
  private static final class SlowStream extends InputStream {
    private final InputStream in;

    SlowStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      LockSupport.parkNanos(1_000_000); // throttling, not waiting for anything
      try {
        return in.read(b, off, Math.min(len, 4096));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
