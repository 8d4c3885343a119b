package dev.descartes.example;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the core runner's three headline figures: threads per agent, the heap during a 300 MB
 * flood that nobody reads, and the time to shut down 50 agents that ignore SIGTERM. Run with {@code
 * ./example/run figures}; the benchmark harness has the full set.
 */
public final class CoreFigures {

  private CoreFigures() {}

  public static void main(String[] args) throws Exception {
    ProcessRunnerConfig config = ProcessRunnerConfig.builder().shutdownHook(false).build();
    try (var runner = new LocalProcessRunner(config)) {
      System.out.printf(
          "engine: %s, max heap: %d MiB%n",
          runner.engineName(), Runtime.getRuntime().maxMemory() >> 20);
      threadsPerAgent(runner);
      floodHeap(runner);
      shutdownOfTermIgnoringAgents(runner);
    }
  }

  private static void threadsPerAgent(LocalProcessRunner runner) throws Exception {
    int n = 100;
    runner.spawn(AgentConfig.builder().name("warm").command("true").build()).waitFor();
    long before = nativeThreads();
    List<AgentHandle> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(
          runner.spawn(AgentConfig.builder().name("idle" + i).command("sleep", "300").build()));
    }
    long during = nativeThreads();
    runner.shutdown(Duration.ofSeconds(5));
    System.out.printf(
        "threads: %d before, %d with %d idle agents: %.2f native threads per agent%n",
        before, during, n, (during - before) / (double) n);
  }

  private static void floodHeap(LocalProcessRunner runner) throws Exception {
    var memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    AtomicLong peak = new AtomicLong();
    long bytes = 300L << 20;
    long t0 = System.nanoTime();
    AgentHandle h =
        runner.spawn(
            AgentConfig.builder()
                .name("flood")
                .command(
                    "/bin/sh", "-c", "head -c " + bytes + " /dev/zero | tr '\\0' 'x' | fold -w 199")
                .build());
    while (h.waitFor(Duration.ofMillis(50)).isEmpty()) {
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.gc();
    long after = memory.getHeapMemoryUsage().getUsed();
    System.out.printf(
        "flood: %d MiB of stdout nobody read in %.1f s (%.0f MiB/s); heap used %d MiB before, "
            + "peak %d MiB sampled during (garbage included), %d MiB retained after GC; missed by the reader: "
            + "%d MiB%n",
        h.stdout().totalBytes() >> 20,
        secs,
        (h.stdout().totalBytes() >> 20) / secs,
        baseline >> 20,
        peak.get() >> 20,
        after >> 20,
        countMissed(h) >> 20);
  }

  private static long countMissed(AgentHandle h) {
    while (h.stdout().poll().isPresent()) {
      // drain the window so the reader learns what it missed
    }
    return h.stdout().missedBytes();
  }

  private static void shutdownOfTermIgnoringAgents(LocalProcessRunner runner) throws Exception {
    int n = 50;
    Duration timeout = Duration.ofSeconds(2);
    List<AgentHandle> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(
          runner.spawn(
              AgentConfig.builder()
                  .name("deaf" + i)
                  .command("/bin/sh", "-c", "trap '' TERM; echo armed; while :; do sleep 1; done")
                  .build()));
    }
    for (AgentHandle a : agents) {
      a.readStdout(Duration.ofSeconds(30));
    }
    long t0 = System.nanoTime();
    runner.shutdown(timeout);
    double secs = (System.nanoTime() - t0) / 1e9;
    long live = agents.stream().filter(a -> a.status().isLive()).count();
    System.out.printf(
        "shutdown: %d agents ignoring SIGTERM stopped in %.2f s with a %d s timeout (%d still live)%n",
        n, secs, timeout.toSeconds(), live);
  }

  private static long nativeThreads() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring(8).trim());
      }
    }
    return -1;
  }
}
