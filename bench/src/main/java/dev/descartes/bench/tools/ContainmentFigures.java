package dev.descartes.bench.tools;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures what per-agent cgroups cost and save, with containment on and off alternated in one JVM:
 * the median time of {@code spawn()} and the time to spawn and reap N {@code true} one after
 * another ({@code spawn}); the time to shut down N agents that ignore SIGTERM with a 2 s timeout
 * ({@code shutdown}). A documented tool, not a test: {@code bench/containment-figures.sh}.
 *
 * <pre>ContainmentFigures --engine jdk|native --scenario spawn|shutdown [--agents N] [--rounds N]
 * </pre>
 */
public final class ContainmentFigures {

  public static void main(String[] args) throws Exception {
    String engine = arg(args, "--engine", "native");
    String scenario = arg(args, "--scenario", "spawn");
    int agents = Integer.parseInt(arg(args, "--agents", "200"));
    int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
    for (int r = 0; r < rounds; r++) {
      for (boolean on : new boolean[] {true, false}) {
        ProcessRunnerConfig cfg =
            ProcessRunnerConfig.builder()
                .engine(ProcessRunnerConfig.Engine.valueOf(engine.toUpperCase(Locale.ROOT)))
                .cgroupContainment(on)
                .shutdownHook(false)
                .enableHealthChecks(false)
                .build();
        try (LocalProcessRunner runner = new LocalProcessRunner(cfg)) {
          String figures =
              scenario.equals("spawn") ? spawn(runner, agents) : shutdown(runner, agents);
          System.out.printf(
              Locale.ROOT,
              "engine=%s scenario=%s cgroups=%s agents=%d %s load=%s%n",
              engine,
              scenario,
              on ? "on" : "off",
              agents,
              figures,
              load());
        }
      }
    }
  }

  private static String spawn(LocalProcessRunner runner, int n) throws Exception {
    long[] spawnNanos = new long[n];
    List<AgentHandle> handles = new ArrayList<>(n);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      handles.add(runner.spawn(AgentConfig.builder().name("t" + i).command("true").build()));
      spawnNanos[i] = System.nanoTime() - t;
    }
    for (AgentHandle h : handles) {
      h.waitFor();
    }
    long total = System.nanoTime() - start;
    Arrays.sort(spawnNanos);
    return String.format(
        Locale.ROOT,
        "spawn_median_us=%d spawn_p90_us=%d spawn_and_reap_s=%.3f",
        spawnNanos[n / 2] / 1000,
        spawnNanos[n * 9 / 10] / 1000,
        total / 1e9);
  }

  private static String shutdown(LocalProcessRunner runner, int n) throws Exception {
    List<AgentHandle> handles = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      handles.add(
          runner.spawn(
              AgentConfig.builder()
                  .name("deaf" + i)
                  .command("/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")
                  .build()));
    }
    for (AgentHandle h : handles) {
      h.readStdout(Duration.ofSeconds(60));
    }
    long start = System.nanoTime();
    runner.shutdown(Duration.ofSeconds(2));
    long took = System.nanoTime() - start;
    long alive = handles.stream().filter(h -> h.status().isLive()).count();
    return String.format(Locale.ROOT, "shutdown_s=%.3f still_live=%d", took / 1e9, alive);
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
