package dev.descartes.runner.internal.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Facts about the operating system the runner is on. */
public final class Platform {

  private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
  private static final Optional<Path> SETSID = findSetsid();

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
