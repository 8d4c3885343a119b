package dev.descartes.bench.worker;

import static dev.descartes.bench.worker.Metrics.micros;
import static dev.descartes.bench.worker.Metrics.millis;
import static dev.descartes.bench.worker.Metrics.percentile;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LineListener;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The workloads done through this project's {@link LocalProcessRunner}, with the engine named on
 * the command line and every other setting at its default, as a user would run it.
 */
public final class RunnerWorkloads implements Workloads {

  private static final Duration SLOT_WAIT = Duration.ofMinutes(10);
  private static final Duration READ_WAIT = Duration.ofSeconds(60);

  private final ProcessRunnerConfig.Engine engine;

  public RunnerWorkloads(String engine) {
    this.engine = ProcessRunnerConfig.Engine.valueOf(engine.toUpperCase(Locale.ROOT));
  }

  /** A runner with this engine; a configuration the build cannot run is a skip, not a failure. */
  LocalProcessRunner runner(Consumer<ProcessRunnerConfig.Builder> settings) {
    ProcessRunnerConfig.Builder b = ProcessRunnerConfig.builder().engine(engine);
    settings.accept(b);
    try {
      return new LocalProcessRunner(b.build());
    } catch (AgentException.InvalidConfig e) {
      throw new Skipped(e.getMessage());
    }
  }

  static AgentConfig command(String... argv) {
    return AgentConfig.builder().command(argv).build();
  }

  /** Spawns and waits for {@code count} runs of {@code cfg}, one at a time. */
  private static void warmUp(LocalProcessRunner r, AgentConfig cfg, int count)
      throws InterruptedException {
    for (int i = 0; i < count; i++) {
      AgentHandle h = r.spawn(cfg, SLOT_WAIT);
      h.waitFor();
      r.remove(h.id());
    }
  }

  @Override
  public Metrics spawn(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    int cap = a.intValue("cap", 0);
    AgentConfig cfg = command(a.get("program"));
    try (LocalProcessRunner r =
        runner(
            b -> {
              if (cap > 0) {
                b.maxConcurrentAgents(cap);
              }
            })) {
      warmUp(r, cfg, a.intValue("warmup", 0));
      double[] lat = new double[n];
      List<AgentHandle> handles = new ArrayList<>(n);
      double cpu0 = ProcSelf.cpuMillis();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        handles.add(cap > 0 ? r.spawn(cfg, SLOT_WAIT) : r.spawn(cfg));
        lat[i] = micros(System.nanoTime() - t);
      }
      long threads = ProcSelf.threads();
      for (AgentHandle h : handles) {
        requireSuccess(h.waitFor(), h);
      }
      return new Metrics()
          .put("wall_ms", millis(System.nanoTime() - t0))
          .put("cpu_ms", ProcSelf.cpuMillis() - cpu0)
          .put("spawn_p50_us", percentile(lat, 50))
          .put("spawn_p99_us", percentile(lat, 99))
          .put("threads", threads);
    }
  }

  private static void requireSuccess(ExitStatus st, AgentHandle h) {
    if (!st.success()) {
      throw new IllegalStateException("agent " + h.pid() + " ended with " + st);
    }
  }

  /**
   * One agent writes {@code bytes} of 200-byte lines; the runner's {@code onLine} listener counts
   * them (views of the read buffer, as C's {@code memchr} loop sees them), or with {@code json} its
   * {@code onEvent} listener counts the parsed events. First, untimed, the same with {@code
   * warmup_bytes} through the same runner (the JIT and the first spawn's class loading are not part
   * of the figure; every JVM subject does the same).
   */
  @Override
  public Metrics throughput(WorkArgs a) throws Exception {
    boolean json = a.flag("json");
    long warm = a.longValue("warmup_bytes", 0);
    try (LocalProcessRunner r = runner(b -> b.enableJsonStreaming(json))) {
      Counter count = new Counter();
      if (json) {
        r.onEvent(count);
      } else {
        r.onLine(count);
      }
      if (warm > 0) {
        stream(r, count, a.get("agent"), warm, json);
      }
      double cpu0 = ProcSelf.cpuMillis();
      long t0 = System.nanoTime();
      stream(r, count, a.get("agent"), a.longValue("bytes"), json);
      long wall = System.nanoTime() - t0;
      return new Metrics()
          .put("wall_ms", millis(wall))
          .put("mib_s", count.size / 1048576.0 / (wall / 1e9))
          .put("lines", count.lines)
          .put("cpu_ms", ProcSelf.cpuMillis() - cpu0);
    }
  }

  /**
   * Counts the lines (and parsed JSON lines) of one agent at a time, in plain fields as the
   * ProcessBuilder worker does in locals: the agent's lines arrive on one thread at a time, and
   * {@code waitFor} returns after the last one was handled (the stream's end completes a future).
   */
  private static final class Counter implements Consumer<AgentEvent>, LineListener {
    private long lines;
    private long size;
    private long parsed;

    @Override
    public void line(AgentId agent, byte[] buffer, int offset, int length, boolean complete) {
      lines++;
      size += length;
    }

    @Override
    public void accept(AgentEvent e) {
      switch (e) {
        case AgentEvent.Json j -> {
          lines++;
          parsed++;
          size += j.line().length;
        }
        case AgentEvent.RawLine l -> {
          lines++;
          size += l.line().length;
        }
        default -> {}
      }
    }
  }

  /** Runs one {@code gen bytes} agent to its end and checks every line arrived. */
  private static void stream(
      LocalProcessRunner r, Counter count, String agent, long bytes, boolean json)
      throws InterruptedException {
    count.lines = 0;
    count.size = 0;
    count.parsed = 0;
    long expected = bytes / 200 * 200;
    AgentHandle h = r.spawn(command(agent, "gen", Long.toString(bytes)));
    requireSuccess(h.waitFor(), h);
    r.remove(h.id());
    if (count.size != expected || (json && count.parsed != count.lines)) {
      throw new IllegalStateException(
          "read "
              + count.size
              + " bytes in "
              + count.lines
              + " lines ("
              + count.parsed
              + " parsed), expected "
              + expected
              + " bytes");
    }
  }

  @Override
  public Metrics roundtrip(WorkArgs a) throws Exception {
    int trips = a.intValue("trips");
    int warm = a.intValue("warmup", 0);
    byte[] line = Lines.probe();
    double[] lat = new double[trips];
    try (LocalProcessRunner r = runner(b -> {})) {
      AgentHandle h = r.spawn(command(a.get("program")));
      for (int i = -warm; i < trips; i++) {
        long t = System.nanoTime();
        h.writeStdin(line);
        h.readStdout(READ_WAIT)
            .orElseThrow(() -> new IllegalStateException("cat did not echo the line"));
        if (i >= 0) {
          lat[i] = micros(System.nanoTime() - t);
        }
      }
      h.closeStdin();
      h.waitFor();
    }
    return new Metrics()
        .put("mean_us", Metrics.mean(lat))
        .put("p50_us", percentile(lat, 50))
        .put("p99_us", percentile(lat, 99));
  }

  @Override
  public Metrics footprint(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    try (LocalProcessRunner r = runner(b -> {})) {
      warmUp(r, command(a.get("program")), a.intValue("warmup", 0));
      return Footprint.measure(
          n,
          () -> {
            for (int i = 0; i < n; i++) {
              r.spawn(command(a.get("agent"), "idle"));
            }
          },
          r::close);
    }
  }

  @Override
  @SuppressWarnings("try") // closes the runner inside its try on purpose, to time the close
  public Metrics fanout(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    int interval = a.intValue("interval_ms");
    ConcurrentHashMap<AgentId, Long> first = new ConcurrentHashMap<>();
    ConcurrentHashMap<AgentId, LongAdder> counts = new ConcurrentHashMap<>();
    try (LocalProcessRunner r = runner(b -> {})) {
      warmUp(r, command(a.get("program")), a.intValue("warmup", 0));
      long rss0 = ProcSelf.rssKib();
      r.onEvent(
          e -> {
            if (e instanceof AgentEvent.Json || e instanceof AgentEvent.RawLine) {
              first.putIfAbsent(e.agentId(), System.nanoTime());
              counts.computeIfAbsent(e.agentId(), k -> new LongAdder()).increment();
            }
          });
      long[] spawnedAt = new long[n];
      AgentId[] ids = new AgentId[n];
      for (int i = 0; i < n; i++) {
        spawnedAt[i] = System.nanoTime();
        ids[i] = r.spawn(command(a.get("agent"), "tick", Integer.toString(interval))).id();
      }
      Fanout.awaitFirstLines(() -> first.size() >= n);
      Fanout.Window w =
          Fanout.observe(
              a.intValue("window_ms"),
              () -> counts.values().stream().mapToLong(LongAdder::sum).sum());
      long rss = ProcSelf.rssKib();
      long threads = ProcSelf.threads();
      long t0 = System.nanoTime();
      r.close();
      double[] firsts = new double[n];
      for (int i = 0; i < n; i++) {
        Long at = first.get(ids[i]);
        firsts[i] = at == null ? Fanout.NEVER_MS : millis(at - spawnedAt[i]);
      }
      return Fanout.metrics(firsts, w, n, interval)
          .put("threads", threads)
          .put("rss_per_agent_kib", (double) (rss - rss0) / n)
          .put("stop_ms", millis(System.nanoTime() - t0));
    }
  }

  @Override
  public Metrics shutdown(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    long timeout = a.longValue("timeout_ms");
    try (LocalProcessRunner r = runner(b -> {})) {
      List<AgentHandle> handles = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        handles.add(r.spawn(command(a.get("agent"), "stubborn")));
      }
      for (AgentHandle h : handles) {
        h.readStdout(READ_WAIT)
            .orElseThrow(() -> new IllegalStateException("agent " + h.pid() + " never got ready"));
      }
      double cpu0 = ProcSelf.cpuMillis();
      long t0 = System.nanoTime();
      r.shutdown(Duration.ofMillis(timeout));
      double wall = millis(System.nanoTime() - t0);
      double cpu = ProcSelf.cpuMillis() - cpu0;
      int killed = 0;
      for (AgentHandle h : handles) {
        ExitStatus st =
            h.waitFor(Duration.ZERO)
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "agent " + h.pid() + " still " + h.status() + " after shutdown"));
        if (st.shellCode() == 128 + 9) {
          killed++;
        }
      }
      return new Metrics()
          .put("wall_ms", wall)
          .put("overhead_ms", wall - timeout)
          .put("cpu_ms", cpu)
          .put("killed", killed);
    }
  }

  @Override
  public Metrics soak(WorkArgs a) throws Exception {
    boolean kill = "kill".equals(a.get("mode", "exit"));
    AgentConfig cfg = kill ? command(a.get("agent"), "idle") : command(a.get("program"));
    int window = a.intValue("window", 16);
    try (LocalProcessRunner r = runner(b -> {})) {
      Soak.Cycle cycle =
          done -> {
            AgentHandle h = r.spawn(cfg);
            if (kill) {
              h.kill();
            }
            h.onExit()
                .whenComplete(
                    (st, err) -> {
                      r.remove(h.id());
                      done.accept(
                          kill || st.success() ? null : "agent " + h.pid() + " ended with " + st);
                    });
          };
      return Soak.run(cycle, a.intValue("cycles"), window, a.intValue("warmup", 0));
    }
  }
}
