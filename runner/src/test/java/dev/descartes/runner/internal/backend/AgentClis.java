package dev.descartes.runner.internal.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real agent CLIs that {@code scripts/install-agent-clis.sh} installs under {@code
 * target/agent-clis/<cli>/} at the repository root (or under the directory named by the system
 * property {@code descartes.agentClis}). A CLI that is not there is installed once per JVM by
 * running that script (the npm registry is the only network it needs); a CLI that still cannot be
 * had makes the calling test skip, with the reason. Thread-safe.
 */
public final class AgentClis {

  private static final Set<String> TRIED = new HashSet<>();

  private AgentClis() {}

  /**
   * The repository root: the nearest directory above the working directory with {@code scripts/}.
   */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("scripts/install-agent-clis.sh"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "no scripts/install-agent-clis.sh above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path home() {
    String prop = System.getProperty("descartes.agentClis");
    return prop != null ? Path.of(prop) : repoRoot().resolve("target/agent-clis");
  }

  /**
   * The directory holding the {@code cli} executable ({@code node_modules/.bin}), installing it
   * first if needed; skips the test (JUnit assumption) if it cannot be installed.
   */
  public static synchronized Path binDir(String cli) {
    Path bin = home().resolve(cli).resolve("node_modules/.bin");
    if (!Files.isExecutable(bin.resolve(cli)) && TRIED.add(cli)) {
      install(cli);
    }
    if (!Files.isExecutable(bin.resolve(cli))) {
      Assumptions.abort(
          cli
              + " is not installed and could not be installed: "
              + failure(cli)
              + "; run scripts/install-agent-clis.sh "
              + cli);
    }
    return bin;
  }

  /**
   * The pinned version the install script recorded, such as
   * {@code @anthropic-ai/claude-code@2.1.330}.
   */
  public static String installed(String cli) {
    try {
      return Files.readString(home().resolve(cli).resolve("INSTALLED"), StandardCharsets.UTF_8)
          .trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void install(String cli) {
    try {
      Process p =
          new ProcessBuilder(
                  "bash", repoRoot().resolve("scripts/install-agent-clis.sh").toString(), cli)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        p.waitFor();
      }
    } catch (IOException e) {
      // reported by the caller as "not installed"
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String failure(String cli) {
    try {
      Path failed = home().resolve(cli).resolve("FAILED");
      return Files.isRegularFile(failed)
          ? Files.readString(failed).strip().replace('\n', ' ')
          : "no FAILED report";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
