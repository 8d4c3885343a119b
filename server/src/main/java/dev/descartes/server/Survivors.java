package dev.descartes.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Finds and kills processes of agents whose daemon died: every process of an agent carries {@code
 * DESCARTES_AGENT_ID=<id>} in its environment (the runner sets it, and children inherit it), which
 * is read from {@code /proc/PID/environ}, so a recycled pid is never taken for an agent.
 *
 * <p>Stateless; thread-safe.
 */
final class Survivors {

  private static final byte[] COOKIE = "DESCARTES_AGENT_ID=".getBytes(StandardCharsets.US_ASCII);

  private Survivors() {}

  /** The pids of live processes whose environment names one of {@code agentIds}. */
  static List<Long> of(Set<String> agentIds) {
    List<Long> out = new ArrayList<>();
    if (agentIds.isEmpty()) {
      return out;
    }
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(
            Path.of("/proc"),
            p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : procs) {
        String id = agentId(p.resolve("environ"));
        if (id != null && agentIds.contains(id)) {
          out.add(Long.parseLong(p.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      // no /proc (not Linux): nothing can be found
    }
    return out;
  }

  /**
   * SIGKILL to each pid (stopped first, so that none forks meanwhile); returns how many were
   * killed.
   */
  static int kill(List<Long> pids) {
    int n = 0;
    for (long pid : pids) {
      var h = ProcessHandle.of(pid);
      if (h.isPresent() && h.get().destroyForcibly()) {
        n++;
      }
    }
    return n;
  }

  private static String agentId(Path environ) {
    byte[] env;
    try {
      env = Files.readAllBytes(environ);
    } catch (IOException | SecurityException e) {
      return null;
    }
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start > COOKIE.length
            && Arrays.equals(env, start, start + COOKIE.length, COOKIE, 0, COOKIE.length)) {
          return new String(
              env, start + COOKIE.length, i - start - COOKIE.length, StandardCharsets.US_ASCII);
        }
        start = i + 1;
      }
    }
    return null;
  }
}
