package dev.descartes.runner.internal.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds the helper programs a sandbox needs ({@code bwrap}, {@code socat}) and runs short probes,
 * each at most once per JVM. Thread-safe.
 */
public final class Programs {

  private static final List<String> DIRS =
      List.of("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin");
  private static final ConcurrentHashMap<String, Optional<Path>> FOUND = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<List<String>, Probe> PROBES = new ConcurrentHashMap<>();

  /** What a probe printed and how it ended. */
  public record Probe(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The first line of the output, or the exit code when there was none. */
    public String firstLine() {
      String t = output.strip();
      return t.isEmpty() ? "exit code " + exitCode : t.lines().findFirst().orElse(t);
    }
  }

  private Programs() {}

  /** The program {@code name} on the JVM's {@code PATH} or in the usual system folders. */
  public static Optional<Path> find(String name) {
    return FOUND.computeIfAbsent(name, Programs::search);
  }

  private static Optional<Path> search(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(DIRS);
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /** Runs {@code argv} once per JVM (5 s at most) and remembers how it went. */
  public static Probe probe(List<String> argv) {
    return PROBES.computeIfAbsent(List.copyOf(argv), Programs::run);
  }

  private static Probe run(List<String> argv) {
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readNBytes(64 * 1024);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        return new Probe(-1, "did not finish within 5 s");
      }
      return new Probe(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Probe(-1, String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Probe(-1, "interrupted");
    }
  }
}
