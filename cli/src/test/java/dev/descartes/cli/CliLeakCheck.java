package dev.descartes.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process behind: the descartes process, or any process of any agent it
 * started. Like the runner's {@code LeakCheck}, but it only looks at processes of this test JVM:
 * {@link Cli} gives every descartes process the variable {@link #MARKER}, which every agent and
 * every tool an agent starts inherits, even one that escaped into its own session. The runner's
 * {@code LeakCheck} looks at every agent of the machine, so it would see (and kill) the agents of
 * other test runs on a shared machine. Waits up to five seconds for stragglers, then kills them and
 * fails.
 */
final class CliLeakCheck implements AfterEachCallback {

  /** The variable that marks the processes of this test JVM's descartes runs. */
  static final String MARKER_NAME = "DESCARTES_CLI_TEST_RUN";

  static final String MARKER_VALUE = UUID.randomUUID().toString();
  private static final byte[] MARKER =
      (MARKER_NAME + "=" + MARKER_VALUE + "\0").getBytes(StandardCharsets.US_ASCII);

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<ProcessHandle> leaked = leaked();
    while (!leaked.isEmpty() && System.nanoTime() < deadline) {
      try {
        leaked
            .getFirst()
            .onExit()
            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException stillThere) {
        // checked again below
      }
      leaked = leaked();
    }
    if (!leaked.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (ProcessHandle p : leaked) {
        names.add(p.pid() + " " + p.info().commandLine().orElse("?"));
        p.destroyForcibly();
      }
      throw new AssertionError("the test left processes behind:\n  " + String.join("\n  ", names));
    }
  }

  /** Live processes that carry this JVM's marker. */
  static List<ProcessHandle> leaked() {
    return leaked(MARKER);
  }

  /** Live processes whose environment has {@code name=value}. */
  static List<ProcessHandle> leaked(String name, String value) {
    return leaked((name + "=" + value + "\0").getBytes(StandardCharsets.UTF_8));
  }

  private static List<ProcessHandle> leaked(byte[] marker) {
    List<ProcessHandle> out = new ArrayList<>();
    try (DirectoryStream<Path> dir =
        Files.newDirectoryStream(
            Path.of("/proc"),
            p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : dir) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          if (stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'
              && contains(Files.readAllBytes(p.resolve("environ")), marker)) {
            ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(out::add);
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static boolean contains(byte[] env, byte[] marker) {
    for (int i = 0; i + marker.length <= env.length; i++) {
      if ((i == 0 || env[i - 1] == 0)
          && java.util.Arrays.equals(env, i, i + marker.length, marker, 0, marker.length)) {
        return true;
      }
    }
    return false;
  }
}
