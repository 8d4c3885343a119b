package dev.descartes.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the processes a worker left behind: every worker runs with {@code
 * DESCARTES_BENCH_WORKER=<id>} in its environment, which every process it starts inherits (the
 * runner, the JDK, posix_spawn, asyncio and Node all pass the environment on), so any live process
 * that still carries it after the worker has exited is a leak.
 */
public final class LeakScan {

  /** The environment variable that marks a worker's process tree. */
  public static final String MARKER = "DESCARTES_BENCH_WORKER";

  private LeakScan() {}

  /** Live processes whose initial environment holds {@code MARKER=id}, as "pid cmdline". */
  public static List<String> find(String id) {
    byte[] needle = (MARKER + "=" + id + "\0").getBytes(StandardCharsets.US_ASCII);
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!Character.isDigit(name.charAt(0))) {
          continue;
        }
        try {
          if (holds(Files.readAllBytes(p.resolve("environ")), needle)) {
            String cmd =
                new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .strip();
            out.add(name + " " + cmd);
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked, or a zombie with no environment left
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return out;
  }

  /** SIGKILL to every process listed by {@link #find}. */
  public static void killAll(List<String> leaked) {
    for (String l : leaked) {
      ProcessHandle.of(Long.parseLong(l.substring(0, l.indexOf(' '))))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static boolean holds(byte[] env, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (env[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
