package dev.descartes.bench.tools;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.engine.Engines;
import dev.descartes.runner.internal.engine.LaunchRequest;
import dev.descartes.runner.internal.engine.OutputSink;
import dev.descartes.runner.internal.engine.ProcessEngine;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the process engines, one engine per JVM: a documented tool, not a test (the benchmark
 * harness on branch {@code bench} is the reference; this is what the native engine's figures were
 * taken with until it is merged). Run it through {@code bench/engine-figures.sh}, which builds the
 * class path and runs every scenario for both engines.
 *
 * <pre>
 * EngineFigures --engine jdk|native --scenario spawn|engine-spawn|stream|leak [--agents N]
 *     [--cycles N] [--kills N] [--tick-agent PATH]
 * </pre>
 *
 * <ul>
 *   <li>{@code spawn}: {@code --agents} (1000) idle agents ({@code cat} waiting on stdin) started
 *       one after another; the median and p99 of {@code runner.spawn}, then the JVM's resident
 *       memory and thread count with all of them alive, against the figures before the first spawn
 *       (after a warm-up).
 *   <li>{@code stream}: {@code --agents} (1000) agents that each write a line every 100 ms ({@code
 *       bench/tick-agent.c}, given with {@code --tick-agent}: the line is the wall-clock time it
 *       was written, in microseconds); for each, the delay between the moment its first line was
 *       written and the moment a runner listener saw it; then, over 10 s of steady streaming, the
 *       worst delay of any line, the most native threads, and the JVM's CPU time per line.
 *   <li>{@code leak}: {@code --cycles} (10000) spawn-and-exit and {@code --kills} (1000)
 *       spawn-and-kill cycles, 8 at a time; open descriptors, threads and child processes before
 *       and after.
 * </ul>
 *
 * Output: one line of {@code key=value} figures on stdout.
 *
 * <p>Every agent drops the runner's {@code DESCARTES_AGENT_ID} cookie from its environment as it
 * starts ({@code env -u}): on a machine shared with other test JVMs, a leak check that kills every
 * process carrying such a cookie would otherwise kill the agents being measured.
 */
public final class EngineFigures {

  private static final String ENV = "/usr/bin/env";
  private static final String UNSET = "-u";
  private static final String COOKIE = "DESCARTES_AGENT_ID";

  private EngineFigures() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new ConcurrentHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    ProcessRunnerConfig.Engine engine =
        ProcessRunnerConfig.Engine.valueOf(
            opts.getOrDefault("engine", "native").toUpperCase(Locale.ROOT));
    int agents = Integer.parseInt(opts.getOrDefault("agents", "1000"));
    // No periodic health check and no tree sweep at a natural exit: both read all of /proc per
    // agent, which at a thousand agents measures /proc rather than the engine.
    ProcessRunnerConfig config =
        ProcessRunnerConfig.builder()
            .engine(engine)
            .shutdownHook(false)
            .enableHealthChecks(false)
            .killOrphansOnExit(false)
            .outputWindowBytes(64 * 1024)
            .pinnedHeadBytes(4 * 1024)
            .maxLineBytes(16 * 1024)
            .build();
    try (LocalProcessRunner runner = new LocalProcessRunner(config)) {
      String result =
          switch (opts.getOrDefault("scenario", "spawn")) {
            case "spawn" -> spawn(runner, agents);
            case "engine-spawn" -> engineSpawn(engine, agents);
            case "stream" ->
                stream(
                    runner,
                    agents,
                    Path.of(opts.getOrDefault("tick-agent", "bench/target/tick-agent"))
                        .toAbsolutePath()
                        .toString());
            case "leak" ->
                leak(
                    runner,
                    Integer.parseInt(opts.getOrDefault("cycles", "10000")),
                    Integer.parseInt(opts.getOrDefault("kills", "1000")));
            default ->
                throw new IllegalArgumentException("unknown scenario " + opts.get("scenario"));
          };
      System.out.println("engine=" + runner.engineName() + " " + result);
    }
  }

  // ---- spawn latency, memory and threads with idle agents ----

  private static String spawn(LocalProcessRunner runner, int agents) throws Exception {
    AgentConfig idle =
        AgentConfig.builder().name("idle").command(ENV, UNSET, COOKIE, "/bin/cat").build();
    warmUp(runner, idle);
    settle();
    long rss0 = rssKb();
    long threads0 = threads();
    long[] nanos = new long[agents];
    List<AgentHandle> live = new ArrayList<>(agents);
    for (int i = 0; i < agents; i++) {
      long t = System.nanoTime();
      live.add(runner.spawn(idle));
      nanos[i] = System.nanoTime() - t;
      progress("spawned", i + 1);
    }
    settle();
    long rss1 = rssKb();
    long threads1 = threads();
    endAll(live);
    Arrays.sort(nanos);
    return String.format(
        Locale.ROOT,
        "spawns=%d spawn_median_ms=%.2f spawn_p99_ms=%.2f rss_before_kb=%d rss_live_kb=%d rss_per_agent_kb=%.1f"
            + " threads_before=%d threads_live=%d",
        agents,
        nanos[agents / 2] / 1e6,
        nanos[(int) (agents * 0.99)] / 1e6,
        rss0,
        rss1,
        (rss1 - rss0) / (double) agents,
        threads0,
        threads1);
  }

  /**
   * The engine alone, without the runner around it: {@code ProcessEngine.start} of idle children.
   */
  private static String engineSpawn(ProcessRunnerConfig.Engine kind, int agents) throws Exception {
    try (ProcessEngine engine = Engines.create(kind)) {
      OutputSink discard =
          new OutputSink() {
            @Override
            public void data(byte[] buf, int off, int len) {}

            @Override
            public void end() {}
          };
      Map<String, String> env = Map.of("PATH", System.getenv("PATH"));
      LaunchRequest idle =
          new LaunchRequest(List.of("/bin/sleep", "3600"), env, Path.of("/tmp"), discard, discard);
      List<ChildProcess> live = new ArrayList<>(agents);
      long[] nanos = new long[agents];
      for (int i = 0; i < agents; i++) {
        long t = System.nanoTime();
        ChildProcess c = engine.start(idle);
        c.startOutput();
        nanos[i] = System.nanoTime() - t;
        live.add(c);
      }
      for (ChildProcess c : live) {
        ProcessHandle.of(c.pid()).ifPresent(ProcessHandle::destroyForcibly);
        c.closeStdin();
        c.onExit().join();
      }
      Arrays.sort(nanos);
      return String.format(
          Locale.ROOT,
          "engine_spawns=%d engine_spawn_median_ms=%.2f engine_spawn_p99_ms=%.2f",
          agents,
          nanos[agents / 2] / 1e6,
          nanos[(int) (agents * 0.99)] / 1e6);
    }
  }

  private static void warmUp(LocalProcessRunner runner, AgentConfig config) throws Exception {
    List<AgentHandle> hs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      hs.add(runner.spawn(config));
    }
    endAll(hs);
    for (AgentHandle h : hs) {
      runner.remove(h.id());
    }
  }

  /**
   * Ends agents that stop at end of input ({@code cat}, the tick loop): cheaper than a stop
   * sequence.
   */
  private static void endAll(List<AgentHandle> agents) throws InterruptedException {
    for (AgentHandle h : agents) {
      h.closeStdin();
    }
    for (AgentHandle h : agents) {
      h.waitFor();
    }
  }

  private static void progress(String what, int n) {
    if (n % 100 == 0) {
      System.err.println("[figures] " + what + " " + n);
    }
  }

  /**
   * Lets background work finish and the heap shrink to what is live, so RSS compares like with
   * like.
   */
  private static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(500); // a measuring tool, not a test: it waits for the JVM to be quiet
    }
  }

  // ---- first-line delay and threads with streaming agents ----

  private static String stream(LocalProcessRunner runner, int agents, String tickAgent)
      throws Exception {
    Map<AgentId, Long> firstDelayMicros = new ConcurrentHashMap<>();
    AtomicLong lines = new AtomicLong();
    AtomicLong worstMicros = new AtomicLong();
    AtomicLong late = new AtomicLong();
    runner.onEvent(
        e -> {
          if (e instanceof AgentEvent.RawLine l) {
            long now = nowMicros();
            long written = Long.parseLong(new String(l.line(), StandardCharsets.US_ASCII).trim());
            long delay = now - written;
            lines.incrementAndGet();
            if (delay > 200_000) {
              late.incrementAndGet();
            }
            worstMicros.accumulateAndGet(delay, Math::max);
            firstDelayMicros.putIfAbsent(e.agentId(), delay);
          }
        });
    AgentConfig tick =
        AgentConfig.builder().name("tick").command(ENV, UNSET, COOKIE, tickAgent).build();
    long threads0 = threads();
    List<AgentHandle> live = new ArrayList<>(agents);
    long start = System.nanoTime();
    for (int i = 0; i < agents; i++) {
      live.add(runner.spawn(tick));
      progress("spawned", i + 1);
    }
    double spawnSeconds = (System.nanoTime() - start) / 1e9;
    long maxThreads = 0;
    Thread.sleep(2000); // the first lines are in: from here on, steady streaming
    long lines0 = lines.get();
    late.set(0);
    long cpu0 = cpuMillis();
    worstMicros.set(0);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      maxThreads = Math.max(maxThreads, threads());
      Thread.sleep(200);
    }
    long linesIn10s = lines.get() - lines0;
    long lateIn10s = late.get();
    long cpuIn10s = cpuMillis() - cpu0;
    long worstWhileStreaming = worstMicros.get();
    long[] first = firstDelayMicros.values().stream().mapToLong(Long::longValue).sorted().toArray();
    System.err.println("[figures] ending the agents");
    endAll(live);
    return String.format(
        Locale.ROOT,
        "agents=%d agents_with_first_line=%d first_line_delay_median_ms=%.1f first_line_delay_p99_ms=%.1f"
            + " first_line_delay_max_ms=%.1f any_line_delay_max_ms=%.1f any_line_delay_max_incl_shutdown_ms=%.1f"
            + " steady_lines_10s=%d steady_lines_over_200ms=%d jvm_cpu_ms_10s=%d cpu_us_per_line=%.1f threads_before=%d"
            + " threads_max_streaming=%d spawn_all_s=%.1f",
        agents,
        first.length,
        pct(first, 0.5),
        pct(first, 0.99),
        first.length == 0 ? -1 : first[first.length - 1] / 1e3,
        worstWhileStreaming / 1e3,
        worstMicros.get() / 1e3,
        linesIn10s,
        lateIn10s,
        cpuIn10s,
        cpuIn10s * 1000.0 / Math.max(1, linesIn10s),
        threads0,
        maxThreads,
        spawnSeconds);
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? -1
        : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e3;
  }

  private static long nowMicros() {
    java.time.Instant i = java.time.Instant.now();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }

  // ---- leaks ----

  private static String leak(LocalProcessRunner runner, int cycles, int kills) throws Exception {
    AgentConfig exit =
        AgentConfig.builder()
            .name("exit")
            .command(ENV, UNSET, COOKIE, "/bin/sh", "-c", "echo bye")
            .build();
    AgentConfig idle =
        AgentConfig.builder()
            .name("idle")
            .command(ENV, UNSET, COOKIE, "/bin/sleep", "3600")
            .build();
    cycles(runner, exit, idle, 50, 20);
    settle();
    long[] before = footprint();
    long start = System.nanoTime();
    cycles(runner, exit, idle, cycles, kills);
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] after = footprint();
    long waitStart = System.nanoTime();
    while ((after[0] > before[0] || after[1] > before[1] || after[2] > before[2])
        && System.nanoTime() - waitStart < Duration.ofSeconds(120).toNanos()) {
      Thread.sleep(500); // pools retire idle threads after their keep-alive
      after = footprint();
    }
    return String.format(
        Locale.ROOT,
        "exit_cycles=%d kill_cycles=%d seconds=%.1f fds_before=%d fds_after=%d threads_before=%d threads_after=%d"
            + " children_before=%d children_after=%d settled_after_s=%.1f",
        cycles,
        kills,
        seconds,
        before[0],
        after[0],
        before[1],
        after[1],
        before[2],
        after[2],
        (System.nanoTime() - waitStart) / 1e9);
  }

  private static void cycles(
      LocalProcessRunner runner, AgentConfig exit, AgentConfig idle, int cycles, int kills)
      throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < cycles + kills; i++) {
        boolean kill = i >= cycles;
        fs.add(
            pool.submit(
                () -> {
                  AgentHandle h = runner.spawn(kill ? idle : exit);
                  if (kill) {
                    h.kill();
                  }
                  h.waitFor();
                  runner.remove(h.id());
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    }
  }

  /** {descriptors, threads, child processes} of this JVM. */
  private static long[] footprint() throws IOException {
    String self = Long.toString(ProcessHandle.current().pid());
    long children = 0;
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : proc) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          if (stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1].equals(self)) {
            children++;
          }
        } catch (IOException | RuntimeException gone) {
          // exited while listed
        }
      }
    }
    return new long[] {new File("/proc/self/fd").list().length, threads(), children};
  }

  /** User plus system CPU time of this JVM so far. */
  private static long cpuMillis() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // clock ticks of 10 ms
  }

  private static long threads() throws IOException {
    return status("Threads:");
  }

  private static long rssKb() throws IOException {
    return status("VmRSS:");
  }

  private static long status(String key) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith(key)) {
        return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }
}
