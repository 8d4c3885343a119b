package dev.descartes.bench;

/**
 * How big each workload is and how often it runs: quick mode for a check in under three minutes,
 * full mode for the published figures.
 *
 * @param mode "quick" or "full"
 * @param agents agents in the spawn, footprint, fan-out and shutdown scenarios
 * @param cap the concurrency cap of the capped spawn scenario
 * @param bytes bytes of JSON lines in the throughput scenario
 * @param trips lines sent through cat in the round-trip scenario
 * @param windowMs how long the fan-out scenario watches delivery once every agent has spoken
 * @param soakCycles spawn-and-exit cycles of the soak
 * @param killCycles spawn-and-kill cycles of the soak
 * @param runs runs of each scenario for each subject
 * @param soakRuns runs of the soak for each subject (a leak check: its figures are counts)
 */
public record Sizes(
    String mode,
    int agents,
    int cap,
    long bytes,
    int trips,
    int windowMs,
    int soakCycles,
    int killCycles,
    int runs,
    int soakRuns) {

  public static Sizes quick() {
    return new Sizes("quick", 50, 16, 16L << 20, 500, 1_000, 200, 50, 1, 1);
  }

  public static Sizes full() {
    return new Sizes("full", 1_000, 64, 1L << 30, 20_000, 5_000, 10_000, 1_000, 5, 1);
  }

  public Sizes withAgents(int n) {
    return new Sizes(mode, n, cap, bytes, trips, windowMs, soakCycles, killCycles, runs, soakRuns);
  }

  public Sizes withRuns(int n) {
    return new Sizes(
        mode, agents, cap, bytes, trips, windowMs, soakCycles, killCycles, n, soakRuns);
  }

  public Sizes withCycles(int exit, int kill) {
    return new Sizes(mode, agents, cap, bytes, trips, windowMs, exit, kill, runs, soakRuns);
  }
}
