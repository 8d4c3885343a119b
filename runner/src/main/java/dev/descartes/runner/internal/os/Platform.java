package dev.descartes.runner.internal.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Facts about the operating system the runner is on. */
public final class Platform {

  private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
  private static final Optional<Path> SETSID = findSetsid();
  private static volatile Optional<List<String>> signalReset;

  private Platform() {}

  public static boolean isLinux() {
    return OS.startsWith("linux");
  }

  public static boolean isWindows() {
    return OS.startsWith("windows");
  }

  /** Whether the platform has POSIX signals (Linux, macOS, the BSDs). */
  public static boolean hasPosixSignals() {
    return !isWindows();
  }

  /** util-linux {@code setsid}, which starts a program in a new session in place (same pid). */
  public static Optional<Path> setsid() {
    return SETSID;
  }

  /**
   * coreutils {@code env --default-signal}, which resets every signal disposition to its default
   * and execs in place. Signals ignored by the JVM (one started from a background shell ignores
   * SIGINT) would otherwise stay ignored in agents, and a shell cannot trap a signal that was
   * ignored when it started.
   */
  public static Optional<List<String>> signalReset() {
    Optional<List<String>> r = signalReset;
    if (r == null) {
      r = findSignalReset();
      signalReset = r;
    }
    return r;
  }

  private static Optional<List<String>> findSignalReset() {
    if (!isLinux()) {
      return Optional.empty();
    }
    for (String dir : new String[] {"/usr/bin", "/bin"}) {
      Path env = Path.of(dir, "env");
      if (!Files.isExecutable(env)) {
        continue;
      }
      try {
        Process p =
            new ProcessBuilder(env.toString(), "--default-signal", "true")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (p.waitFor() == 0) {
          return Optional.of(List.of(env.toString(), "--default-signal"));
        }
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> findSetsid() {
    if (!isLinux()) {
      return Optional.empty();
    }
    for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
