package dev.descartes.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream's events with ids 1, 2, 3, ... in order, the newest kept within a bound (events and
 * bytes). A reader asks for what follows the last id it saw and learns how many it missed when the
 * oldest it needed are gone. Appending never waits for readers: a reader that keeps up misses
 * nothing, one that falls further behind than the bound gets a gap.
 *
 * <p>Thread-safe.
 */
final class EventLog {

  /** An event and its id; {@code json} is one line of UTF-8 JSON. */
  record Entry(long id, String json) {}

  /**
   * What a read returned: the events after the asked id, how many were no longer held, and whether
   * the log has ended.
   */
  record Batch(List<Entry> entries, long missed, boolean ended) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final int maxEvents;
  private final long maxBytes;
  private long bytes;
  private long nextId = 1;
  private boolean ended;

  EventLog(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  /** Appends {@code json} and returns its id; ignored (returns -1) once the log has ended. */
  long append(String json) {
    lock.lock();
    try {
      if (ended) {
        return -1;
      }
      Entry e = new Entry(nextId++, json);
      entries.addLast(e);
      bytes += json.length();
      while (entries.size() > 1 && (entries.size() > maxEvents || bytes > maxBytes)) {
        bytes -= entries.removeFirst().json().length();
      }
      changed.signalAll();
      return e.id();
    } finally {
      lock.unlock();
    }
  }

  /** No more events will come; readers that have read everything see {@code ended}. */
  void end() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** The id of the newest event, 0 when none. */
  long lastId() {
    lock.lock();
    try {
      return nextId - 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The events after {@code afterId} (at most {@code max}), waiting up to {@code wait} for one to
   * come when there is none yet.
   */
  Batch read(long afterId, int max, Duration wait) throws InterruptedException {
    long nanos = wait.toNanos();
    lock.lock();
    try {
      while (nextId - 1 <= afterId && !ended && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      long first = entries.isEmpty() ? nextId : entries.peekFirst().id();
      long missed = Math.max(0, first - afterId - 1);
      List<Entry> out = new ArrayList<>();
      for (Entry e : entries) {
        if (e.id() > afterId) {
          out.add(e);
          if (out.size() == max) {
            break;
          }
        }
      }
      boolean done = ended && (out.isEmpty() || out.getLast().id() == nextId - 1);
      return new Batch(out, missed, done);
    } finally {
      lock.unlock();
    }
  }

  /** The held events, oldest first (a snapshot). */
  List<Entry> snapshot() {
    lock.lock();
    try {
      return List.copyOf(entries);
    } finally {
      lock.unlock();
    }
  }

  static Duration forever() {
    return Duration.ofNanos(TimeUnit.DAYS.toNanos(1));
  }
}
