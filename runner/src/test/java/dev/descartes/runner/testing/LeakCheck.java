package dev.descartes.runner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process behind: any live process whose environment carries the
 * runner's {@code DESCARTES_AGENT_ID} cookie (every process of every agent's tree has it), and any
 * zombie child of this JVM. Waits up to five seconds for stragglers to go before failing, and then
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
   * Every leaked process, as "pid state ppid cmdline": agent processes of this JVM (descendants of
   * it, or orphans re-parented to init), never those of another JVM's runner on the same machine.
   */
  public static List<String> leaked() {
    java.util.Map<Long, Long> parents = parents();
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
          boolean agentProcess = state != 'Z' && (ppid == 1 || descendsFromUs(ppid, parents))
              && dev.descartes.runner.internal.os.ProcFs.environContains(Long.parseLong(name), COOKIE);
          if (zombieOfOurs || agentProcess) {
            String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ').trim();
            if (cmd.isEmpty()) {
              cmd = stat.substring(stat.indexOf('(') - 1, stat.lastIndexOf(')') + 1).trim(); // (comm)
            }
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

  private static boolean descendsFromUs(long ppid, java.util.Map<Long, Long> parents) {
    long p = ppid;
    for (int hops = 0; hops < 64 && p > 1; hops++) {
      if (p == SELF) {
        return true;
      }
      p = parents.getOrDefault(p, 0L);
    }
    return false;
  }

  private static java.util.Map<Long, Long> parents() {
    java.util.Map<Long, Long> parents = new java.util.HashMap<>();
    for (dev.descartes.runner.internal.os.ProcStat p : dev.descartes.runner.internal.os.ProcFs.all()) {
      parents.put((long) p.pid(), (long) p.ppid());
    }
    return parents;
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
