package dev.descartes.bench.worker;

import static dev.descartes.bench.worker.Metrics.percentile;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** The measuring side of the fan-out workload, shared by the Java subjects. */
final class Fanout {

  /** The delay recorded for an agent whose first line never came within a minute. */
  static final double NEVER_MS = 60_000;

  private Fanout() {}

  /** Lines delivered during the observation window, and its length. */
  record Window(long lines, double seconds) {}

  /** Waits until {@code allSeen} holds, or a minute has passed. */
  static void awaitFirstLines(BooleanSupplier allSeen) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (NEVER_MS * 1e6);
    while (!allSeen.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Counts the lines delivered over the next {@code windowMs}. */
  static Window observe(long windowMs, LongSupplier delivered) throws InterruptedException {
    long lines0 = delivered.getAsLong();
    long t0 = System.nanoTime();
    Thread.sleep(windowMs);
    long t1 = System.nanoTime();
    return new Window(delivered.getAsLong() - lines0, (t1 - t0) / 1e9);
  }

  static Metrics metrics(double[] firstLineMs, Window w, int agents, int intervalMs) {
    double expected = agents * w.seconds() * 1000 / intervalMs;
    return new Metrics()
        .put("first_line_p50_ms", percentile(firstLineMs, 50))
        .put("first_line_p99_ms", percentile(firstLineMs, 99))
        .put("first_line_max_ms", percentile(firstLineMs, 100))
        .put("delivered_pct", 100 * w.lines() / expected);
  }
}
