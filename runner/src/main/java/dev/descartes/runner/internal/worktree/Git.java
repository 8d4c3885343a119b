package dev.descartes.runner.internal.worktree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code git} command in one folder and returns what it printed. Git's own environment is
 * the JVM's, with prompts off. Thread-safe.
 */
final class Git {

  /** What one git command did. */
  record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }
  }

  private final Path dir;

  Git(Path dir) {
    this.dir = dir;
  }

  Result run(String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    try {
      Process p = pb.start();
      byte[][] err = new byte[1][];
      Thread errReader = Thread.ofVirtual().start(() -> err[0] = readAll(p.getErrorStream()));
      byte[] out = readAll(p.getInputStream());
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        p.waitFor();
      }
      errReader.join();
      return new Result(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8).strip(),
          new String(err[0] == null ? new byte[0] : err[0], StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(127, "", "cannot run git: " + e.getMessage() + "; install git");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "", "interrupted");
    }
  }

  /** Runs and returns stdout, or throws with git's message. */
  String check(String... args) {
    Result r = run(args);
    if (!r.ok()) {
      throw new GitFailed(
          "git " + String.join(" ", args) + " failed: " + (r.err().isEmpty() ? r.out() : r.err()));
    }
    return r.out();
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** A git command that failed, with git's message. */
  static final class GitFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GitFailed(String message) {
      super(message, null, false, false);
    }
  }
}
