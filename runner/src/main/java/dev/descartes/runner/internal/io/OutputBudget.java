package dev.descartes.runner.internal.io;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that every output window of one runner may hold together.
 *
 * <p>The budget is shared equally: each registered stream's window is capped at {@link #share()},
 * the budget divided by the number of streams (never above the stream's own window size, never
 * below {@link #MIN_SHARE}). A window grows only up to the share in force when it grows; when new
 * streams lower the share and the total goes over the budget, the next append that notices trims
 * every window down to the new share ({@link #reclaim()}), oldest lines first, so the total comes
 * back under the budget. The first line of a window held by an {@link
 * dev.descartes.runner.OutputDelivery#EVERY_LINE} reader that has not read it yet, and the newest
 * line of each stream, are never dropped; an every-line backlog is capped at the share too, by
 * holding the agent back. Thread-safe.
 */
public final class OutputBudget {

  /** No stream's share goes below this, whatever the number of streams. */
  public static final long MIN_SHARE = 16 * 1024;

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final Set<LineLog> logs = ConcurrentHashMap.newKeySet();
  private final AtomicInteger generation = new AtomicInteger();
  private volatile int reclaimedAt = -1;
  private volatile long share;

  public OutputBudget(long limit) {
    this.limit = limit;
    this.share = Math.max(MIN_SHARE, limit);
  }

  /** A budget with no limit (a log on its own). */
  public static OutputBudget unlimited() {
    return new OutputBudget(Long.MAX_VALUE);
  }

  public long limit() {
    return limit;
  }

  /** Bytes held by every window now. */
  public long used() {
    return used.get();
  }

  /** Streams sharing the budget. */
  public int streams() {
    return logs.size();
  }

  /** What one stream may hold now. */
  public long share() {
    return share;
  }

  void register(LineLog log) {
    if (logs.add(log)) {
      changed();
    }
  }

  /** The stream's window is gone: its bytes are given back. */
  public void unregister(LineLog log) {
    if (logs.remove(log)) {
      changed();
      log.releaseAll();
    }
  }

  private synchronized void changed() {
    share = Math.max(MIN_SHARE, limit / Math.max(1, logs.size()));
    generation.incrementAndGet();
  }

  void charge(long bytes) {
    used.addAndGet(bytes);
  }

  boolean over() {
    return used.get() > limit;
  }

  /**
   * Trims every window to the current share, once per change in the number of streams: windows only
   * grow up to the share in force, so after one pass the total is within the budget again, but for
   * what a window never drops (its newest line, with the slab that holds it, and what every-line
   * readers have not read yet).
   */
  void reclaim() {
    int g = generation.get();
    if (reclaimedAt == g || !over()) {
      return;
    }
    reclaimedAt = g;
    for (LineLog l : logs) {
      l.trim();
    }
  }
}
