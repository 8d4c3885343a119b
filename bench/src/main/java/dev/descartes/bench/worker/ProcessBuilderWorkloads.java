package dev.descartes.bench.worker;

import static dev.descartes.bench.worker.Metrics.micros;
import static dev.descartes.bench.worker.Metrics.millis;
import static dev.descartes.bench.worker.Metrics.percentile;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The floor in Java: the workloads done with the JDK's {@link ProcessBuilder} and nothing else.
 * Stdin and stdout are pipes; stderr is discarded by the kernel (so no thread drains it); one
 * platform thread reads each stdout that has something to read; lines come from {@link
 * BufferedReader#readLine()} and JSON from Jackson. No new session, no process tree, no output
 * window, no events: everything the runner adds on top is missing here.
 */
public final class ProcessBuilderWorkloads implements Workloads {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Process start(String... argv) throws IOException {
    return new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static BufferedReader lines(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 65536);
  }

  /** Starts {@code program} and waits for it, {@code count} times. */
  private static void warmUp(String program, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      start(program).waitFor();
    }
  }

  /** SIGKILL to every process, then waits for each. */
  private static void killAll(List<Process> processes) throws InterruptedException {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      p.waitFor();
    }
  }

  @Override
  public Metrics spawn(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    int cap = a.intValue("cap", 0);
    String program = a.get("program");
    warmUp(program, a.intValue("warmup", 0));
    Semaphore slots = new Semaphore(cap > 0 ? cap : Integer.MAX_VALUE);
    double[] lat = new double[n];
    List<Process> processes = new ArrayList<>(n);
    double cpu0 = ProcSelf.cpuMillis();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      long t = System.nanoTime();
      Process p = start(program);
      lat[i] = micros(System.nanoTime() - t);
      p.onExit().thenRun(slots::release);
      processes.add(p);
    }
    long threads = ProcSelf.threads();
    for (Process p : processes) {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("process " + p.pid() + " exited with " + p.exitValue());
      }
    }
    return new Metrics()
        .put("wall_ms", millis(System.nanoTime() - t0))
        .put("cpu_ms", ProcSelf.cpuMillis() - cpu0)
        .put("spawn_p50_us", percentile(lat, 50))
        .put("spawn_p99_us", percentile(lat, 99))
        .put("threads", threads);
  }

  /**
   * One agent writes {@code bytes} of 200-byte lines, read with {@code readLine} (and parsed with
   * Jackson for {@code json=1}). First, untimed, the same with {@code warmup_bytes}.
   */
  @Override
  public Metrics throughput(WorkArgs a) throws Exception {
    boolean json = a.flag("json");
    long warm = a.longValue("warmup_bytes", 0);
    if (warm > 0) {
      stream(a.get("agent"), warm, json);
    }
    double cpu0 = ProcSelf.cpuMillis();
    long t0 = System.nanoTime();
    long[] counted = stream(a.get("agent"), a.longValue("bytes"), json);
    long wall = System.nanoTime() - t0;
    return new Metrics()
        .put("wall_ms", millis(wall))
        .put("mib_s", counted[1] / 1048576.0 / (wall / 1e9))
        .put("lines", counted[0])
        .put("cpu_ms", ProcSelf.cpuMillis() - cpu0);
  }

  /** Runs one {@code gen bytes} agent to its end: its lines and bytes, checked. */
  private static long[] stream(String agent, long bytes, boolean json) throws Exception {
    long expected = bytes / 200 * 200;
    Process p = start(agent, "gen", Long.toString(bytes));
    long lines = 0;
    long size = 0;
    try (BufferedReader in = lines(p.getInputStream())) {
      String line;
      while ((line = in.readLine()) != null) {
        lines++;
        size += line.length() + 1;
        if (json) {
          MAPPER.readTree(line);
        }
      }
    }
    p.waitFor();
    if (size != expected) {
      throw new IllegalStateException("read " + size + " bytes, expected " + expected);
    }
    return new long[] {lines, size};
  }

  @Override
  public Metrics roundtrip(WorkArgs a) throws Exception {
    int trips = a.intValue("trips");
    int warm = a.intValue("warmup", 0);
    byte[] line = Lines.probe();
    double[] lat = new double[trips];
    Process p = start(a.get("program"));
    try (OutputStream out = p.getOutputStream();
        BufferedReader in = lines(p.getInputStream())) {
      for (int i = -warm; i < trips; i++) {
        long t = System.nanoTime();
        out.write(line);
        out.flush();
        if (in.readLine() == null) {
          throw new IllegalStateException("cat closed its stdout");
        }
        if (i >= 0) {
          lat[i] = micros(System.nanoTime() - t);
        }
      }
    }
    p.waitFor();
    return new Metrics()
        .put("mean_us", Metrics.mean(lat))
        .put("p50_us", percentile(lat, 50))
        .put("p99_us", percentile(lat, 99));
  }

  @Override
  public Metrics footprint(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    warmUp(a.get("program"), a.intValue("warmup", 0));
    List<Process> processes = new ArrayList<>(n);
    return Footprint.measure(
        n,
        () -> {
          for (int i = 0; i < n; i++) {
            processes.add(start(a.get("agent"), "idle"));
          }
        },
        () -> killAll(processes));
  }

  @Override
  public Metrics fanout(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    int interval = a.intValue("interval_ms");
    warmUp(a.get("program"), a.intValue("warmup", 0));
    long rss0 = ProcSelf.rssKib();
    AtomicLongArray first = new AtomicLongArray(n);
    AtomicLongArray counts = new AtomicLongArray(n);
    long[] spawnedAt = new long[n];
    List<Process> processes = new ArrayList<>(n);
    List<Thread> readers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int k = i;
      spawnedAt[i] = System.nanoTime();
      Process p = start(a.get("agent"), "tick", Integer.toString(interval));
      processes.add(p);
      readers.add(
          Thread.ofPlatform()
              .daemon(true)
              .start(
                  () -> {
                    try (BufferedReader in = lines(p.getInputStream())) {
                      while (in.readLine() != null) {
                        first.compareAndSet(k, 0, System.nanoTime());
                        counts.incrementAndGet(k);
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }));
    }
    Fanout.awaitFirstLines(
        () -> {
          for (int i = 0; i < n; i++) {
            if (first.get(i) == 0) {
              return false;
            }
          }
          return true;
        });
    Fanout.Window w =
        Fanout.observe(
            a.intValue("window_ms"),
            () -> {
              long sum = 0;
              for (int i = 0; i < n; i++) {
                sum += counts.get(i);
              }
              return sum;
            });
    long rss = ProcSelf.rssKib();
    long threads = ProcSelf.threads();
    long t0 = System.nanoTime();
    killAll(processes);
    for (Thread t : readers) {
      t.join();
    }
    double[] firsts = new double[n];
    for (int i = 0; i < n; i++) {
      firsts[i] = first.get(i) == 0 ? Fanout.NEVER_MS : millis(first.get(i) - spawnedAt[i]);
    }
    return Fanout.metrics(firsts, w, n, interval)
        .put("threads", threads)
        .put("rss_per_agent_kib", (double) (rss - rss0) / n)
        .put("stop_ms", millis(System.nanoTime() - t0));
  }

  @Override
  public Metrics shutdown(WorkArgs a) throws Exception {
    int n = a.intValue("agents");
    long timeout = a.longValue("timeout_ms");
    List<Process> processes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      processes.add(start(a.get("agent"), "stubborn"));
    }
    for (Process p : processes) {
      if (lines(p.getInputStream()).readLine() == null) {
        throw new IllegalStateException("agent " + p.pid() + " never got ready");
      }
    }
    double cpu0 = ProcSelf.cpuMillis();
    long t0 = System.nanoTime();
    processes.forEach(Process::destroy);
    long deadline = t0 + timeout * 1_000_000;
    int killed = 0;
    for (Process p : processes) {
      if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        p.destroyForcibly();
        killed++;
      }
    }
    for (Process p : processes) {
      p.waitFor();
    }
    double wall = millis(System.nanoTime() - t0);
    return new Metrics()
        .put("wall_ms", wall)
        .put("overhead_ms", wall - timeout)
        .put("cpu_ms", ProcSelf.cpuMillis() - cpu0)
        .put("killed", killed);
  }

  @Override
  public Metrics soak(WorkArgs a) throws Exception {
    boolean kill = "kill".equals(a.get("mode", "exit"));
    String[] argv = kill ? new String[] {a.get("agent"), "idle"} : new String[] {a.get("program")};
    Soak.Cycle cycle =
        done -> {
          Process p = start(argv);
          if (kill) {
            p.destroyForcibly();
          }
          p.onExit()
              .thenRun(
                  () ->
                      done.accept(
                          kill || p.exitValue() == 0
                              ? null
                              : "process " + p.pid() + " exited with " + p.exitValue()));
        };
    return Soak.run(cycle, a.intValue("cycles"), a.intValue("window", 16), a.intValue("warmup", 0));
  }
}
