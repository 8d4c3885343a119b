package dev.descartes.bench.worker;

/**
 * The benchmark workloads as one subject does them. Every method starts the processes it needs,
 * measures, and stops and reaps every one of them before it returns.
 */
public interface Workloads {

  /**
   * {@code agents} runs of {@code program} (exit at once), at most {@code cap} alive when cap > 0.
   */
  Metrics spawn(WorkArgs a) throws Exception;

  /**
   * One {@code agent gen bytes}: 200-byte JSON lines read to the end, parsed when {@code json=1}.
   */
  Metrics throughput(WorkArgs a) throws Exception;

  /** {@code trips} lines written to {@code program} (cat) and read back, one at a time. */
  Metrics roundtrip(WorkArgs a) throws Exception;

  /** {@code agents} idle agents: threads, resident memory and heap while they live. */
  Metrics footprint(WorkArgs a) throws Exception;

  /**
   * {@code agents} agents writing a line every {@code interval_ms}: delay to each first line,
   * delivery.
   */
  Metrics fanout(WorkArgs a) throws Exception;

  /** {@code agents} agents that ignore SIGTERM, stopped with a {@code timeout_ms} grace period. */
  Metrics shutdown(WorkArgs a) throws Exception;

  /**
   * {@code cycles} spawn-and-exit ({@code mode=exit}) or spawn-and-kill ({@code mode=kill}) cycles.
   */
  Metrics soak(WorkArgs a) throws Exception;

  /** Runs {@code scenario}. */
  default Metrics run(String scenario, WorkArgs a) throws Exception {
    return switch (scenario) {
      case "spawn" -> spawn(a);
      case "throughput" -> throughput(a);
      case "roundtrip" -> roundtrip(a);
      case "footprint" -> footprint(a);
      case "fanout" -> fanout(a);
      case "shutdown" -> shutdown(a);
      case "soak" -> soak(a);
      default -> throw new Skipped("no scenario '" + scenario + "'");
    };
  }

  /** Thrown when a subject cannot run a workload here; the harness prints the reason. */
  final class Skipped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Skipped(String reason) {
      super(reason);
    }
  }
}
