package dev.descartes.bench.worker;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The leak check: many short cycles, at most {@code window} at once, with this process's
 * descriptors, threads, children and heap counted before (after a warm-up with the same window) and
 * after.
 */
final class Soak {

  private Soak() {}

  /** Starts one cycle; calls {@code done} once it is over, with null or what went wrong. */
  @FunctionalInterface
  interface Cycle {
    void start(Consumer<String> done) throws Exception;
  }

  static Metrics run(Cycle cycle, int cycles, int window, int warmup) throws Exception {
    runCycles(cycle, warmup, window);
    long fds0 = ProcSelf.fds();
    long threads0 = ProcSelf.threads();
    long children0 = ProcSelf.children();
    double heap0 = ProcSelf.heapAfterGcMib();
    long t0 = System.nanoTime();
    runCycles(cycle, cycles, window);
    long wall = System.nanoTime() - t0;
    return new Metrics()
        .put("wall_ms", Metrics.millis(wall))
        .put("cycle_us", Metrics.micros(wall) / cycles)
        .put("fds_before", fds0)
        .put("fds_after", ProcSelf.fds())
        .put("threads_before", threads0)
        .put("threads_after", ProcSelf.threads())
        .put("children_before", children0)
        .put("children_after", ProcSelf.children())
        .put("heap_before_mib", heap0)
        .put("heap_after_mib", ProcSelf.heapAfterGcMib());
  }

  private static void runCycles(Cycle cycle, int count, int window) throws Exception {
    Semaphore slots = new Semaphore(window);
    AtomicReference<String> failure = new AtomicReference<>();
    for (int i = 0; i < count && failure.get() == null; i++) {
      slots.acquire();
      cycle.start(
          err -> {
            if (err != null) {
              failure.compareAndSet(null, err);
            }
            slots.release();
          });
    }
    slots.acquire(window);
    slots.release(window);
    if (failure.get() != null) {
      throw new IllegalStateException(failure.get());
    }
  }
}
