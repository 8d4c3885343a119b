package dev.descartes.runner.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many agents come and go and leave nothing behind: open descriptors, threads and child processes
 * return to where they were. The benchmark harness runs the same at full count (10,000 and 1,000
 * cycles); here 500 spawn-and-exit and 100 spawn-and-kill cycles.
 */
@ExtendWith(LeakCheck.class)
class EngineLeakTest {

  private static final int EXIT_CYCLES = 500;
  private static final int KILL_CYCLES = 100;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PARALLEL = 4;

  /** What a leak would show. */
  record Footprint(long descriptors, long threads, long children) {

    static Footprint now() {
      return new Footprint(
          count(new File("/proc/self/fd").list()),
          count(new File("/proc/self/task").list()),
          countChildren());
    }

    private static long count(String[] entries) {
      return entries == null ? -1 : entries.length;
    }

    private static long countChildren() {
      String self = Long.toString(ProcessHandle.current().pid());
      long n = 0;
      try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path p : proc) {
          try {
            String stat = Files.readString(p.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // the JVM's one death watchdog (cgroup containment) lives as long as the JVM
            if (f[1].equals(self)
                && !new String(Files.readAllBytes(p.resolve("cmdline")))
                    .contains("descartes-watchdog")) {
              n++;
            }
          } catch (IOException | RuntimeException gone) {
            // exited while listed
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return n;
    }

    boolean within(Footprint start) {
      return descriptors <= start.descriptors
          && threads <= start.threads
          && children <= start.children;
    }
  }

  @Test
  void spawnAndExitAndSpawnAndKillCyclesLeaveNoDescriptorThreadOrChildBehind() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      cycles(
          runner, 20, 10); // warm-up: the JDK's and the virtual-thread scheduler's pools fill once
      Footprint start = Footprint.now();
      cycles(runner, EXIT_CYCLES, KILL_CYCLES);
      // Polled on this thread: a polling thread of Awaitility's own would count. Pools (the JDK's
      // process reapers, the virtual-thread scheduler) retire idle threads after their keep-alive.
      await()
          .pollInSameThread()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  assertThat(Footprint.now()).matches(now -> now.within(start), "within " + start));
      assertThat(Footprint.now().children()).isZero();
    }
  }

  /** The cycles, {@link #PARALLEL} at a time, as agents come and go in a real fleet. */
  private static void cycles(LocalProcessRunner runner, int exits, int kills) throws Exception {
    AgentConfig exit =
        AgentConfig.builder().name("exit").command("/bin/sh", "-c", "echo bye").build();
    AgentConfig sleep = AgentConfig.builder().name("sleep").command("/bin/sleep", "600").build();
    try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL)) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < exits + kills; i++) {
        boolean kill = i >= exits;
        done.add(
            pool.submit(
                () -> {
                  AgentHandle h = runner.spawn(kill ? sleep : exit);
                  if (kill) {
                    h.kill();
                  }
                  assertThat(h.waitFor(WAIT))
                      .contains(kill ? ExitStatus.signalled(9) : ExitStatus.exited(0));
                  runner.remove(h.id());
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }
}
