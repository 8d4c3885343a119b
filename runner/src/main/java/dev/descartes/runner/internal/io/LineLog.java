package dev.descartes.runner.internal.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded in-memory record of one output stream, read through independent {@link Cursor}s.
 *
 * <p>The first lines, up to {@code pinnedBytes}, are kept for the life of the agent (they carry a
 * CLI's session id and model). After them, lines go to a ring that holds at most {@code
 * windowBytes} in all and drops its oldest lines when full, so the newest output (a CLI's final
 * result) is always there. A cursor that points at a dropped line reads a {@link Read.Gap} with
 * the exact count of lines and bytes it missed. Thread-safe.
 */
public final class LineLog {

  /** Memory charged per line beyond its bytes: the entry object and array header. */
  static final int ENTRY_OVERHEAD = 64;

  /** One stored line. */
  public record Entry(long seq, long offset, byte[] bytes, boolean complete, long atMillis) {}

  /** What a read found. */
  public sealed interface Read {
    record Line(Entry entry) implements Read {}

    record Gap(long lines, long bytes) implements Read {}

    /** The stream ended and this cursor read everything. */
    record End() implements Read {}

    /** Nothing yet (non-blocking read, or timeout). */
    record None() implements Read {}
  }

  /** A reader's position. Guarded by the log's lock; each cursor is used by one reader at a time. */
  public static final class Cursor {
    private long next;
    private long nextOffset;
    private volatile long missedLines;
    private volatile long missedBytes;

    public long missedLines() {
      return missedLines;
    }

    public long missedBytes() {
      return missedBytes;
    }
  }

  private static final Read NONE = new Read.None();
  private static final Read END = new Read.End();

  private final long windowBytes;
  private final long pinnedBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  private final List<Entry> head = new ArrayList<>();
  private long headBytes;
  private boolean headOpen = true;

  private Entry[] ring = new Entry[16];
  private int ringStart;
  private int ringSize;
  private long ringBytes;

  private long nextSeq;
  private long nextOffset;
  private boolean ended;

  public LineLog(long windowBytes, long pinnedBytes) {
    this.windowBytes = windowBytes;
    this.pinnedBytes = Math.min(pinnedBytes, windowBytes / 2);
  }

  public void append(byte[] bytes, boolean complete, long atMillis) {
    long cost = cost(bytes);
    lock.lock();
    try {
      Entry e = new Entry(nextSeq++, nextOffset, bytes, complete, atMillis);
      nextOffset += bytes.length;
      if (headOpen && headBytes + cost <= pinnedBytes) {
        head.add(e);
        headBytes += cost;
      } else {
        headOpen = false;
        pushRing(e, cost);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The stream reached end of file. */
  public void end() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public boolean isEnded() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Lines appended so far. */
  public long lines() {
    lock.lock();
    try {
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes held in memory now, counting per-line overhead. */
  public long retainedBytes() {
    lock.lock();
    try {
      return headBytes + ringBytes;
    } finally {
      lock.unlock();
    }
  }

  /** A cursor at the first line still held (or the very first line). */
  public Cursor newCursor() {
    return new Cursor();
  }

  /** Reads without waiting. */
  public Read poll(Cursor c) {
    lock.lock();
    try {
      return tryRead(c);
    } finally {
      lock.unlock();
    }
  }

  /** Reads, waiting up to {@code timeout} for a line or the end. */
  public Read poll(Cursor c, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        Read r = tryRead(c);
        if (r != NONE || nanos <= 0) {
          return r;
        }
        nanos = changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Reads, waiting as long as it takes. */
  public Read take(Cursor c) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        Read r = tryRead(c);
        if (r != NONE) {
          return r;
        }
        changed.await(1, TimeUnit.MINUTES);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the stream ended and {@code c} has read everything. */
  public boolean finished(Cursor c) {
    lock.lock();
    try {
      return ended && c.next >= nextSeq;
    } finally {
      lock.unlock();
    }
  }

  private Read tryRead(Cursor c) {
    if (c.next < head.size()) {
      Entry e = head.get((int) c.next);
      advance(c, e);
      return new Read.Line(e);
    }
    if (c.next >= nextSeq) {
      return ended ? END : NONE;
    }
    Entry first = ring[ringStart];
    if (c.next < first.seq()) {
      Read.Gap gap = new Read.Gap(first.seq() - c.next, first.offset() - c.nextOffset);
      c.missedLines += gap.lines();
      c.missedBytes += gap.bytes();
      c.next = first.seq();
      c.nextOffset = first.offset();
      return gap;
    }
    Entry e = ring[(ringStart + (int) (c.next - first.seq())) % ring.length];
    advance(c, e);
    return new Read.Line(e);
  }

  private static void advance(Cursor c, Entry e) {
    c.next = e.seq() + 1;
    c.nextOffset = e.offset() + e.bytes().length;
  }

  private void pushRing(Entry e, long cost) {
    if (ringSize == ring.length) {
      Entry[] bigger = new Entry[ring.length * 2];
      for (int i = 0; i < ringSize; i++) {
        bigger[i] = ring[(ringStart + i) % ring.length];
      }
      ring = bigger;
      ringStart = 0;
    }
    ring[(ringStart + ringSize) % ring.length] = e;
    ringSize++;
    ringBytes += cost;
    long budget = windowBytes - headBytes;
    while (ringBytes > budget && ringSize > 1) {
      Entry old = ring[ringStart];
      ring[ringStart] = null;
      ringStart = (ringStart + 1) % ring.length;
      ringSize--;
      ringBytes -= cost(old.bytes());
    }
    if (ringSize < ring.length / 4 && ring.length > 64) {
      Entry[] smaller = new Entry[ring.length / 2];
      for (int i = 0; i < ringSize; i++) {
        smaller[i] = ring[(ringStart + i) % ring.length];
      }
      ring = smaller;
      ringStart = 0;
    }
  }

  private static long cost(byte[] bytes) {
    return (long) bytes.length + ENTRY_OVERHEAD;
  }
}
