package dev.descartes.runner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process behind: any live descendant of this JVM whose environment
 * carries the runner's {@code DESCARTES_AGENT_ID} cookie (every process of every agent's tree has
 * it), and any zombie child of this JVM. Agents of other JVMs on the machine are not looked at (nor
 * killed). Waits up to five seconds for stragglers to go before failing, and then
 * kills them, so one leaking test does not fail the next. Register with
 * {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements AfterEachCallback {

  private static final byte[] COOKIE = "DESCARTES_AGENT_ID=".getBytes(StandardCharsets.US_ASCII);
  private static final long SELF = ProcessHandle.current().pid();

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<String> leaked = leaked();
    while (!leaked.isEmpty() && System.nanoTime() < deadline) {
      awaitAnyExit(leaked, deadline);
      leaked = leaked();
    }
    if (!leaked.isEmpty()) {
      killAll();
      throw new AssertionError("the test left processes behind:\n  " + String.join("\n  ", leaked));
    }
  }

  /**
   * Every leaked process, as "pid state ppid cmdline": only this JVM's descendants (the runner makes
   * the JVM a subreaper, so tools that escaped into their own session are re-parented here), never
   * the agents of another JVM on the same machine.
   */
  public static List<String> leaked() {
    Map<Long, Long> parents = new HashMap<>();
    Map<Long, Path> dirs = new HashMap<>();
    Map<Long, Character> states = new HashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(name);
          parents.put(pid, Long.parseLong(f[1]));
          states.put(pid, f[0].charAt(0));
          dirs.put(pid, p);
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<Long, Path> e : dirs.entrySet()) {
      long pid = e.getKey();
      if (!descendsFromSelf(pid, parents)) {
        continue;
      }
      Path p = e.getValue();
      char state = states.get(pid);
      long ppid = parents.get(pid);
      try {
        boolean zombieOfOurs = state == 'Z' && ppid == SELF;
        boolean agentProcess = state != 'Z' && contains(Files.readAllBytes(p.resolve("environ")));
        if (zombieOfOurs || agentProcess) {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
              .replace('\0', ' ').trim();
          out.add(pid + " " + state + " ppid=" + ppid + " " + cmd);
        }
      } catch (IOException | RuntimeException gone) {
        // exited while we looked
      }
    }
    return out;
  }

  private static boolean descendsFromSelf(long pid, Map<Long, Long> parents) {
    long p = pid;
    for (int depth = 0; depth < 4096; depth++) {
      Long parent = parents.get(p);
      if (parent == null || parent <= 1) {
        return false;
      }
      if (parent == SELF) {
        return true;
      }
      p = parent;
    }
    return false;
  }

  private static boolean contains(byte[] env) {
    outer:
    for (int i = 0; i + COOKIE.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < COOKIE.length; j++) {
        if (env[i + j] != COOKIE[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void awaitAnyExit(List<String> leaked, long deadline) {
    for (String l : leaked) {
      long pid = Long.parseLong(l.substring(0, l.indexOf(' ')));
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      ProcessHandle.of(pid).ifPresent(h -> {
        try {
          h.onExit().get(Math.min(left, Duration.ofMillis(200).toNanos()),
              java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // still there: checked again by the caller
        }
      });
    }
  }

  private static void killAll() {
    for (String l : leaked()) {
      long pid = Long.parseLong(l.substring(0, l.indexOf(' ')));
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
