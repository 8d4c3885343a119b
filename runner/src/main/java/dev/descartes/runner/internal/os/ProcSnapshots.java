package dev.descartes.runner.internal.os;

import java.util.concurrent.CompletableFuture;

/**
 * Shares {@code /proc} scans between threads: a caller asks for a snapshot taken no earlier than
 * some moment, and gets the newest one if it qualifies, joins a scan that began after that moment,
 * or waits for the scan under way to end and then joins or starts the next one. One scan runs at a
 * time, so when a thousand agents are stopped at once they share a handful of scans instead of each
 * reading {@code /proc} several times, all at once. Thread-safe.
 */
public final class ProcSnapshots {

  private static final Object LOCK = new Object();
  private static ProcSnapshot latest;
  private static CompletableFuture<ProcSnapshot> inFlight;
  private static long inFlightStartedAt;

  private ProcSnapshots() {}

  /** A snapshot whose scan began at or after {@code notBeforeNanos} ({@link System#nanoTime()}). */
  public static ProcSnapshot after(long notBeforeNanos) {
    while (true) {
      CompletableFuture<ProcSnapshot> running;
      boolean mine = false;
      boolean recentEnough = false;
      long started = 0;
      synchronized (LOCK) {
        if (latest != null && latest.takenAtNanos() - notBeforeNanos >= 0) {
          return latest;
        }
        running = inFlight;
        if (running == null) {
          running = new CompletableFuture<>();
          inFlight = running;
          inFlightStartedAt = System.nanoTime();
          started = inFlightStartedAt;
          mine = true;
        } else {
          recentEnough = inFlightStartedAt - notBeforeNanos >= 0;
        }
      }
      if (mine) {
        return scan(running, started);
      }
      if (recentEnough) {
        return running.join();
      }
      // The scan under way began too early for this caller: let it end, then join or start the
      // next.
      try {
        running.join();
      } catch (RuntimeException e) {
        // its caller reports it; this one tries the next scan
      }
    }
  }

  private static ProcSnapshot scan(CompletableFuture<ProcSnapshot> mine, long started) {
    ProcSnapshot s;
    try {
      s = new ProcSnapshot(started, ProcFs.all());
    } catch (RuntimeException e) {
      synchronized (LOCK) {
        inFlight = null;
      }
      mine.completeExceptionally(e);
      throw e;
    }
    synchronized (LOCK) {
      latest = s;
      inFlight = null;
    }
    mine.complete(s);
    return s;
  }

  /** A snapshot taken from now on. */
  public static ProcSnapshot fresh() {
    return after(System.nanoTime());
  }
}
