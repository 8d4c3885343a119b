package dev.descartes.bench.tools;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSandbox.Endpoint;
import dev.descartes.runner.AgentSandbox.Network;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of a sandbox: {@code --spawns} (200) agents running {@code /bin/true} of each kind,
 * plain and in a sandbox with network loopback, none and an allow-list of one port, interleaved
 * (one of each kind in turn, so that load on the machine falls on every kind alike) after a
 * warm-up, one at a time, in one JVM and one runner. For each kind: the median and p90 of the
 * {@code spawn} call, and of the whole life, from the {@code spawn} call to the agent's exit seen
 * by the runner (which for a sandbox includes setting it up and tearing it down). Run through
 * {@code bench/sandbox-spawn.sh}. Output: a table, with each kind's ratio to the plain agent.
 *
 * <pre>
 * SandboxSpawnCost [--spawns N] [--engine auto|jdk|native]
 * </pre>
 */
public final class SandboxSpawnCost {

  private SandboxSpawnCost() {}

  public static void main(String[] args) throws Exception {
    int spawns = 200;
    ProcessRunnerConfig.Engine engine = ProcessRunnerConfig.Engine.AUTO;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spawns" -> spawns = Integer.parseInt(args[++i]);
        case "--engine" ->
            engine = ProcessRunnerConfig.Engine.valueOf(args[++i].toUpperCase(Locale.ROOT));
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + "; use --spawns N and --engine auto|jdk|native");
      }
    }
    Map<String, AgentSandbox> kinds = new LinkedHashMap<>();
    kinds.put("plain", null);
    kinds.put("sandbox-loopback", AgentSandbox.builder().network(Network.loopback()).build());
    kinds.put("sandbox-none", AgentSandbox.builder().network(Network.none()).build());
    kinds.put(
        "sandbox-allow",
        AgentSandbox.builder().network(Network.allow(new Endpoint("127.0.0.1", 9))).build());
    Map<String, long[]> spawnNanos = new LinkedHashMap<>();
    Map<String, long[]> lifeNanos = new LinkedHashMap<>();
    for (String k : kinds.keySet()) {
      spawnNanos.put(k, new long[spawns]);
      lifeNanos.put(k, new long[spawns]);
    }
    try (LocalProcessRunner runner =
        new LocalProcessRunner(
            ProcessRunnerConfig.builder()
                .engine(engine)
                .enableHealthChecks(false)
                .shutdownHook(false)
                .build())) {
      for (int warm = 0; warm < 20; warm++) {
        for (AgentSandbox s : kinds.values()) {
          once(runner, s, new long[1], new long[1], 0);
        }
      }
      for (int i = 0; i < spawns; i++) {
        for (Map.Entry<String, AgentSandbox> k : kinds.entrySet()) {
          once(runner, k.getValue(), spawnNanos.get(k.getKey()), lifeNanos.get(k.getKey()), i);
        }
      }
      System.out.printf(
          "engine %s, %d spawns of /bin/true per kind, interleaved, one at a time%n",
          runner.engineName(), spawns);
    }
    double plainSpawn = median(spawnNanos.get("plain"));
    double plainLife = median(lifeNanos.get("plain"));
    System.out.printf(
        "%-17s %12s %12s %10s %12s %12s %10s%n",
        "kind", "spawn p50", "spawn p90", "x plain", "life p50", "life p90", "x plain");
    for (String k : kinds.keySet()) {
      long[] s = spawnNanos.get(k);
      long[] l = lifeNanos.get(k);
      System.out.printf(
          "%-17s %9.2f ms %9.2f ms %9.2fx %9.2f ms %9.2f ms %9.2fx%n",
          k,
          median(s) / 1e6,
          pct(s, 0.9) / 1e6,
          median(s) / plainSpawn,
          median(l) / 1e6,
          pct(l, 0.9) / 1e6,
          median(l) / plainLife);
    }
  }

  private static void once(
      LocalProcessRunner runner, AgentSandbox sandbox, long[] spawn, long[] life, int i)
      throws InterruptedException {
    AgentConfig.Builder b = AgentConfig.builder().name("bench").command("/bin/true");
    if (sandbox != null) {
      b.sandbox(sandbox);
    }
    AgentConfig config = b.build();
    long t0 = System.nanoTime();
    AgentHandle h = runner.spawn(config);
    long t1 = System.nanoTime();
    ExitStatus st =
        h.waitFor(Duration.ofSeconds(30))
            .orElseThrow(() -> new IllegalStateException("no exit in 30 s"));
    long t2 = System.nanoTime();
    if (!st.success()) {
      throw new IllegalStateException("agent failed: " + st + " (" + config + ")");
    }
    runner.remove(h.id());
    spawn[i] = t1 - t0;
    life[i] = t2 - t0;
  }

  private static double median(long[] v) {
    return pct(v, 0.5);
  }

  private static double pct(long[] v, double p) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
  }
}
