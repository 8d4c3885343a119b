package dev.descartes.runner.internal.os;

import java.util.concurrent.CompletableFuture;

/**
 * Shares {@code /proc} scans between threads: a caller asks for a snapshot taken no earlier than
 * some moment, and gets the newest one if it qualifies, joins a scan that began after that moment,
 * or starts one. When a thousand agents are stopped at once, they share a handful of scans instead
 * of each reading {@code /proc} several times. Thread-safe.
 */
public final class ProcSnapshots {

  private static final Object LOCK = new Object();
  private static ProcSnapshot latest;
  private static CompletableFuture<ProcSnapshot> inFlight;
  private static long inFlightStartedAt;

  private ProcSnapshots() {}

  /** A snapshot whose scan began at or after {@code notBeforeNanos} ({@link System#nanoTime()}). */
  public static ProcSnapshot after(long notBeforeNanos) {
    CompletableFuture<ProcSnapshot> mine;
    boolean scan = false;
    long started = 0;
    synchronized (LOCK) {
      if (latest != null && latest.takenAtNanos() - notBeforeNanos >= 0) {
        return latest;
      }
      if (inFlight != null && inFlightStartedAt - notBeforeNanos >= 0) {
        mine = inFlight;
      } else {
        mine = new CompletableFuture<>();
        inFlight = mine;
        inFlightStartedAt = System.nanoTime();
        started = inFlightStartedAt;
        scan = true;
      }
    }
    if (scan) {
      ProcSnapshot s;
      try {
        s = new ProcSnapshot(started, ProcFs.all());
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
      synchronized (LOCK) {
        if (latest == null || s.takenAtNanos() - latest.takenAtNanos() > 0) {
          latest = s;
        }
        if (inFlight == mine) {
          inFlight = null;
        }
      }
      mine.complete(s);
      return s;
    }
    return mine.join();
  }

  /** A snapshot taken from now on. */
  public static ProcSnapshot fresh() {
    return after(System.nanoTime());
  }
}
