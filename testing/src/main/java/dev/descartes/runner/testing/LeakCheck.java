package dev.descartes.runner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process behind: any live process whose environment carries the
 * runner's {@code DESCARTES_AGENT_ID} cookie (every process of every agent's tree has it) and that
 * descends from this JVM or belongs to an agent this JVM spawned, and any zombie child of this JVM.
 * Agents of other JVMs on the machine (another test run) are not this test's business. Waits up to
 * five seconds for stragglers to go before failing, and then kills them, so one leaking test does
 * not fail the next. It also fails a test that leaves an agent's cgroup behind in this JVM's cgroup
 * scopes (and removes it). Register with {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements AfterEachCallback {

  private static final byte[] COOKIE = "DESCARTES_AGENT_ID=".getBytes(StandardCharsets.US_ASCII);
  private static final long SELF = ProcessHandle.current().pid();
  private static final Set<String> SPAWNED = ConcurrentHashMap.newKeySet();

  /**
   * Records that a runner of this JVM spawned the agent with this id, so that its processes count
   * as this test's even after they left the JVM's descendants (a tool in its own session that
   * outlived its parent). {@code TestRunners} calls it for every agent it starts.
   */
  public static void recordAgent(String agentId) {
    SPAWNED.add(agentId);
  }

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
    List<Path> groups = leakedCgroups();
    while (!groups.isEmpty() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      groups = leakedCgroups();
    }
    if (!groups.isEmpty()) {
      groups.forEach(LeakCheck::removeGroup);
      throw new AssertionError(
          "the test left cgroups behind:\n  "
              + String.join("\n  ", groups.stream().map(Path::toString).toList()));
    }
  }

  /**
   * The agent cgroups left in this JVM's cgroup scopes ({@code .../descartes/j<pid>-<start
   * ticks>/<agent id>} in each hierarchy under {@code /sys/fs/cgroup}): an agent's groups go when
   * it has ended.
   */
  public static List<Path> leakedCgroups() {
    Path root = Path.of("/sys/fs/cgroup");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    String scope = "j" + SELF + "-";
    List<Path> out = new ArrayList<>();
    try (var dirs =
        Files.find(
            root,
            8,
            (p, a) ->
                a.isDirectory()
                    && p.getFileName() != null
                    && p.getFileName().toString().startsWith(scope)
                    && p.getParent().getFileName().toString().equals("descartes"))) {
      for (Path s : (Iterable<Path>) dirs::iterator) {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(s, Files::isDirectory)) {
          groups.forEach(out::add);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // a group vanished while we looked: the next look sees the rest
    }
    return out;
  }

  private static void removeGroup(Path group) {
    try {
      if (Files.exists(group.resolve("cgroup.kill"))) {
        Files.writeString(group.resolve("cgroup.kill"), "1");
      } else {
        for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until) {
        try {
          Files.deleteIfExists(group);
          return;
        } catch (IOException busy) {
          java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
      }
    } catch (IOException | RuntimeException e) {
      // reported by the assertion already
    }
  }

  /** Every leaked process, as "pid state ppid cmdline". */
  public static List<String> leaked() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          char state = f[0].charAt(0);
          long ppid = Long.parseLong(f[1]);
          boolean zombieOfOurs = state == 'Z' && ppid == SELF;
          String agent = state == 'Z' ? null : cookie(Files.readAllBytes(p.resolve("environ")));
          boolean agentProcess =
              agent != null && (SPAWNED.contains(agent) || descendsFromSelf(Long.parseLong(name)));
          if (zombieOfOurs || agentProcess) {
            String cmd =
                new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .trim();
            out.add(name + " " + state + " ppid=" + ppid + " " + cmd);
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** The cookie's value in a NUL-separated environment, or null. */
  private static String cookie(byte[] env) {
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
      int end = i + COOKIE.length;
      while (end < env.length && env[end] != 0) {
        end++;
      }
      return new String(env, i + COOKIE.length, end - i - COOKIE.length, StandardCharsets.US_ASCII);
    }
    return null;
  }

  private static boolean descendsFromSelf(long pid) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    while (h.isPresent()) {
      h = h.get().parent();
      if (h.isPresent() && h.get().pid() == SELF) {
        return true;
      }
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
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                try {
                  h.onExit()
                      .get(
                          Math.min(left, Duration.ofMillis(200).toNanos()),
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
