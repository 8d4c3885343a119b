package dev.descartes.bench;

import static dev.descartes.bench.MetricSpec.count;
import static dev.descartes.bench.MetricSpec.info;
import static dev.descartes.bench.MetricSpec.rate;
import static dev.descartes.bench.MetricSpec.time;

import java.util.ArrayList;
import java.util.List;

/** Every scenario of the issue, as the cases the harness runs, sized for quick or full mode. */
public final class Catalog {

  /** The scenario names, in the order they run and print. */
  public static final List<String> SCENARIOS =
      List.of(
          "spawn", "throughput", "roundtrip", "footprint", "fanout", "shutdown", "ttfe", "soak");

  private static final MetricSpec CPU = time("cpu_ms", "CPU time of the parent", "ms");
  private static final MetricSpec THREADS = count("threads", "threads of the parent", "");
  private static final MetricSpec RSS_PER_AGENT =
      count("rss_per_agent_kib", "parent RSS per agent", "KiB");

  private Catalog() {}

  /** The cases of the wanted scenarios, in the order the scenarios are named. */
  public static List<Variant> variants(Sizes s, Toolchain tools, List<String> scenarios) {
    List<Variant> all = new ArrayList<>();
    String trueBin = tools.program("true");
    String cat = tools.program("cat");
    String agent = tools.agent().toString();
    String n = "agents=" + s.agents();
    String warm = "warmup=5";
    all.add(
        new Variant(
            "spawn",
            "spawn",
            "spawn and exit of " + s.agents() + " × true, no cap",
            List.of(n, "cap=0", "program=" + trueBin, "warmup=20"),
            List.of(
                time("wall_ms", "wall time, all exited", "ms"),
                time("spawn_p50_us", "spawn call, median", "us"),
                time("spawn_p99_us", "spawn call, p99", "us"),
                CPU,
                THREADS),
            s.runs(),
            false));
    // the same after as many spawns as are timed, one at a time: the steady state of a runner that
    // has been up a while (the JIT has compiled the spawn and exit paths), every subject alike
    all.add(
        new Variant(
            "spawn",
            "spawn-warm",
            "spawn and exit of "
                + s.agents()
                + " × true, no cap, after "
                + s.agents()
                + " warm-up spawns",
            List.of(n, "cap=0", "program=" + trueBin, "warmup=" + s.agents()),
            List.of(time("wall_ms", "wall time, all exited", "ms"), CPU),
            s.runs(),
            false));
    all.add(
        new Variant(
            "spawn",
            "spawn-cap" + s.cap(),
            "spawn and exit of " + s.agents() + " × true, cap " + s.cap(),
            List.of(n, "cap=" + s.cap(), "program=" + trueBin, "warmup=20"),
            List.of(time("wall_ms", "wall time, all exited", "ms"), CPU),
            s.runs(),
            false));
    String mib = (s.bytes() >> 20) + " MiB";
    // every subject first streams as much, untimed, through the same path: a rate of the steady
    // state, past the JIT, the first spawn and a JVM heap's growth to its working size
    String warmBytes = "warmup_bytes=" + s.bytes();
    all.add(
        new Variant(
            "throughput",
            "throughput-lines",
            "stdout of " + mib + " in 200-byte JSON lines, line framing",
            List.of("agent=" + agent, "bytes=" + s.bytes(), warmBytes, "json=0"),
            List.of(rate("mib_s", "throughput", "MiB/s"), CPU),
            s.runs(),
            false));
    all.add(
        new Variant(
            "throughput",
            "throughput-json",
            "stdout of " + mib + " in 200-byte JSON lines, parsed",
            List.of("agent=" + agent, "bytes=" + s.bytes(), warmBytes, "json=1"),
            List.of(rate("mib_s", "throughput", "MiB/s"), CPU),
            s.runs(),
            false));
    all.add(
        new Variant(
            "roundtrip",
            "roundtrip",
            "one 200-byte line through cat, " + s.trips() + " trips",
            List.of(
                "program=" + cat, "trips=" + s.trips(), "warmup=" + Math.max(100, s.trips() / 10)),
            List.of(
                time("p50_us", "round trip, median", "us"),
                time("p99_us", "round trip, p99", "us")),
            s.runs(),
            false));
    all.add(
        new Variant(
            "footprint",
            "footprint",
            s.agents() + " idle agents",
            List.of(n, "agent=" + agent, "program=" + trueBin, warm),
            List.of(
                THREADS,
                RSS_PER_AGENT,
                count("heap_delta_mib", "heap growth", "MiB"),
                time("spawn_all_ms", "time to spawn all", "ms"),
                time("stop_ms", "time to stop all", "ms")),
            s.runs(),
            false));
    all.add(
        new Variant(
            "fanout",
            "fanout",
            s.agents() + " agents writing a line every 100 ms",
            List.of(
                n,
                "agent=" + agent,
                "program=" + trueBin,
                warm,
                "interval_ms=100",
                "window_ms=" + s.windowMs()),
            List.of(
                time("first_line_p50_ms", "first line after spawn, median", "ms"),
                time("first_line_p99_ms", "first line after spawn, p99", "ms"),
                time("first_line_max_ms", "first line after spawn, max", "ms"),
                rate("delivered_pct", "lines delivered on time", "%"),
                THREADS,
                RSS_PER_AGENT),
            s.runs(),
            false));
    all.add(
        new Variant(
            "shutdown",
            "shutdown",
            "graceful shutdown of " + s.agents() + " agents that ignore SIGTERM, 2 s timeout",
            List.of(n, "agent=" + agent, "timeout_ms=2000"),
            List.of(
                time("wall_ms", "wall time", "ms"),
                time("overhead_ms", "beyond the 2 s timeout", "ms"),
                CPU),
            s.runs(),
            false));
    all.addAll(ClaudeVariants.variants(s, tools));
    all.add(
        soak(
            "soak-exit",
            s.soakCycles() + " spawn-and-exit cycles (16 at a time)",
            s.soakCycles(),
            "exit",
            trueBin,
            agent,
            s));
    all.add(
        soak(
            "soak-kill",
            s.killCycles() + " spawn-and-kill cycles (16 at a time)",
            s.killCycles(),
            "kill",
            trueBin,
            agent,
            s));
    return all.stream()
        .filter(v -> scenarios.contains(v.scenario()))
        .sorted(java.util.Comparator.comparingInt(v -> scenarios.indexOf(v.scenario())))
        .toList();
  }

  private static Variant soak(
      String id, String title, int cycles, String mode, String trueBin, String agent, Sizes s) {
    return new Variant(
        "soak",
        id,
        title,
        List.of(
            "cycles=" + cycles,
            "mode=" + mode,
            "program=" + trueBin,
            "agent=" + agent,
            "window=16",
            "warmup=50"),
        List.of(
            time("cycle_us", "time per cycle", "us"),
            info("fds_before", "descriptors before", ""),
            info("fds_after", "descriptors after", ""),
            info("threads_before", "threads before", ""),
            info("threads_after", "threads after", ""),
            info("children_before", "child processes before", ""),
            info("children_after", "child processes after", ""),
            info("heap_before_mib", "heap before", "MiB"),
            info("heap_after_mib", "heap after", "MiB")),
        s.soakRuns(),
        false);
  }
}
