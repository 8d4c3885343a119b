package dev.descartes.bench.worker;

import static dev.descartes.bench.worker.Metrics.millis;

/** The measuring side of the footprint workload, shared by the Java subjects. */
final class Footprint {

  /** Starts or stops the subject's agents. */
  interface Step {
    void run() throws Exception;
  }

  private Footprint() {}

  /**
   * Takes the baseline, starts {@code agents} idle agents, lets them settle for half a second,
   * reads threads, resident memory and heap, then times stopping them.
   */
  static Metrics measure(int agents, Step spawnAll, Step stopAll) throws Exception {
    double heap0 = ProcSelf.heapAfterGcMib();
    long rss0 = ProcSelf.rssKib();
    long t0 = System.nanoTime();
    spawnAll.run();
    long spawned = System.nanoTime() - t0;
    Thread.sleep(500);
    double heap = ProcSelf.heapAfterGcMib();
    long rss = ProcSelf.rssKib();
    long threads = ProcSelf.threads();
    t0 = System.nanoTime();
    stopAll.run();
    return new Metrics()
        .put("spawn_all_ms", millis(spawned))
        .put("threads", threads)
        .put("rss_delta_mib", (rss - rss0) / 1024.0)
        .put("rss_per_agent_kib", (double) (rss - rss0) / agents)
        .put("heap_delta_mib", heap - heap0)
        .put("stop_ms", millis(System.nanoTime() - t0));
  }
}
