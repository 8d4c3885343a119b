package dev.descartes.runner.internal.io;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded in-memory record of one output stream, read through independent {@link Cursor}s.
 *
 * <p>The first lines, up to {@code pinnedBytes}, are kept for the life of the agent (they carry a
 * CLI's session id and model). After them, lines go to a ring that holds at most {@code
 * windowBytes} (less when the runner's {@link OutputBudget} gives this stream a smaller share) and
 * drops its oldest lines when full, so the newest output (a CLI's final result) is always there. A
 * busy stream's lines are kept in slabs, blocks the log reuses once their last line has left the
 * ring, so such a stream's window allocates nothing per line; the memory charged is the slabs'
 * whole size. Its reads go straight into the slab being filled ({@link #lendSlab}), and their lines
 * stay where the read put them; short lines that come as views of another buffer are copied into
 * the slab. A latest-lines cursor that points at a dropped line reads a {@link Read.Gap} with the
 * exact count of lines and bytes it missed.
 *
 * <p>An every-line cursor ({@link #newCursor(boolean) lossless}) is never skipped: no line it has
 * not read yet is dropped. Instead, {@link #full()} turns true once its backlog passes the {@link
 * #backlogLimit()}, and the writer is expected to stop appending (the runner stops reading the
 * pipe) until the callbacks given to {@link #whenRoom} run, once the slowest every-line cursor is
 * down to half the limit, has been released, or the stream has ended. Thread-safe.
 */
public final class LineLog {

  /** Memory charged per line beyond its bytes: the entry object and array header. */
  static final int ENTRY_OVERHEAD = 64;

  /** The largest every-line backlog of one stream before the agent is held back. */
  public static final long MAX_BACKLOG = 1 << 20;

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

  /**
   * A reader's position. Guarded by the log's lock; each cursor is used by one reader at a time.
   */
  public static final class Cursor {
    private final boolean lossless;
    private long next;
    private long nextOffset;
    private boolean released;
    private volatile long missedLines;
    private volatile long missedBytes;

    private Cursor(boolean lossless) {
      this.lossless = lossless;
    }

    public boolean lossless() {
      return lossless;
    }

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
  private final OutputBudget budget;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  private final List<Entry> head = new ArrayList<>();
  private long headBytes;
  private boolean headOpen;

  /**
   * The largest slab: a thirty-second of the default window, and the largest read that goes into a
   * slab (1 GiB of lines went through faster in reads of 256 KiB than of 64 KiB: fewer system
   * calls, and fewer turns waiting for the pipe's lock while the writer holds it). A window below
   * 32 minimum slabs copies lines one by one.
   */
  static final int MAX_SLAB = 256 * 1024;

  /**
   * A slab takes lines of at most a sixteenth of its size, so the end it cannot fill is at most a
   * sixteenth of it; a longer line gets an array of its own.
   */
  static final int LINES_PER_SLAB = 16;

  /**
   * The smallest slab: a read with fewer bytes of lines keeps each line in an array of its own, so
   * a quiet stream holds no mostly empty slab.
   */
  static final int MIN_SLAB = 4 * 1024;

  /**
   * Emptied slabs of the size new slabs get, kept for reuse: at most four, and at most an eighth of
   * the window ({@link #SPARE_SHARE}).
   */
  static final int MAX_SPARES = 4;

  /** Spares hold at most this fraction of the window's target: 1 / 8. */
  static final int SPARE_SHARE = 8;

  // The window after the head, as a ring of columns rather than an object per line: a line costs
  // one reference and four primitives here, and an Entry is made only for a reader that reads it;
  // a line's length is the distance to the next line's offset.
  // A line is an array of its own (start -1) or a stretch of a slab. Slabs are filled in order, so
  // the ring's oldest slab line is in the oldest slab of `slabs`, which is released when its last
  // line (`Slab.lastSeq`) is evicted.
  private byte[][] ringLines = new byte[16][];
  private int[] ringStarts = new int[16];
  private long[] ringOffsets = new long[16];
  private long[] ringTimes = new long[16];
  private boolean[] ringComplete = new boolean[16];
  private int ringStart;
  private int ringSize;
  private long ringFirstSeq;
  private long ringBytes;

  /**
   * The least room a lent slab has ({@link #lendSlab}): a slab with less is done with, and the read
   * goes into a new one.
   */
  static final int MIN_LEND = 4 * 1024;

  /**
   * The smallest slab {@link #lendSlab} lends: a window whose slabs would be smaller (a small share
   * of the budget) lends none, so its reads stay the engine's size (64 to 128 KiB) and a full pipe
   * is still found full and enlarged.
   */
  static final int MIN_LENT_SLAB = 64 * 1024;

  /** A slab in use: its bytes and the sequence number of its newest line (-1: none yet). */
  private static final class Slab {
    final byte[] bytes;
    long lastSeq = -1;

    Slab(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * The slabs that hold lines of the ring, oldest first; a slab joins when its first line does, so
   * the last is the slab being filled once it holds a line.
   */
  private final ArrayDeque<Slab> slabs = new ArrayDeque<>();

  /** The slab being filled, and how much of it is used; null: take a new one. */
  private Slab slab;

  private int slabUsed;

  /**
   * The slab the last {@link #lendSlab} lent, and where the read started: the appending thread's.
   */
  private byte[] lentSlab;

  private int lentFrom;

  private final ArrayDeque<byte[]> spares = new ArrayDeque<>(MAX_SPARES);
  private long spareBytes;

  private long nextSeq;
  private long nextOffset;
  private boolean ended;

  private final List<Cursor> lossless = new ArrayList<>(2);
  private final List<Runnable> roomWaiters = new ArrayList<>(1);
  private boolean holding;
  private volatile long lastLosslessRead = System.nanoTime();

  public LineLog(long windowBytes, long pinnedBytes) {
    this(windowBytes, pinnedBytes, OutputBudget.unlimited());
  }

  public LineLog(long windowBytes, long pinnedBytes, OutputBudget budget) {
    this.windowBytes = windowBytes;
    this.pinnedBytes = Math.min(pinnedBytes, windowBytes / 2);
    this.headOpen = this.pinnedBytes > 0;
    this.budget = budget;
    budget.register(this);
  }

  public void append(byte[] bytes, boolean complete, long atMillis) {
    LineBatch one = new LineBatch();
    one.add(bytes, complete);
    append(one, atMillis);
  }

  /**
   * Appends every line of {@code batch} under one lock, each stamped {@code atMillis}. The window
   * is trimmed once, after the whole batch.
   */
  public void append(LineBatch batch, long atMillis) {
    int n = batch.size();
    if (n == 0) {
      return;
    }
    lock.lock();
    try {
      long before = headBytes + ringBytes + spareBytes;
      int i = 0;
      if (headOpen) {
        long headCap = Math.min(pinnedBytes, budget.share() / 2);
        for (; i < n; i++) {
          byte[] bytes = batch.line(i);
          long cost = cost(bytes);
          if (headBytes + cost > headCap) {
            headOpen = false;
            break;
          }
          head.add(new Entry(nextSeq++, nextOffset, bytes, batch.complete(i), atMillis));
          nextOffset += bytes.length;
          headBytes += cost;
        }
      }
      if (i < n) {
        pushRing(batch, i, n, atMillis);
      }
      budget.charge(headBytes + ringBytes + spareBytes - before);
      trimRing();
      if (!holding && !lossless.isEmpty() && backlog() > backlogLimit()) {
        holding = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (budget.over()) {
      budget.reclaim();
    }
  }

  /**
   * The slab the stream's next read may go into, from {@link #lentFrom()} to its end, so that the
   * read's lines stay there with no copy: the slab being filled if it has {@link #MIN_LEND} bytes
   * of room, else a new one if the last read was large enough to fill part of one ({@link
   * #MIN_SLAB}), so that a quiet stream holds no mostly empty slab. A lent slab holds the read's
   * bytes only once {@link #append} takes the lines framed from them; a read it gets meanwhile
   * cannot be lost: if the slab leaves the window before then (a smaller budget), it is not reused
   * and the lines are copied as lines of any other buffer. Only for the thread that appends.
   *
   * @param lastRead the size of the stream's previous read
   * @return null while the lines go to the pinned head or the window is too small for slabs
   */
  public byte[] lendSlab(int lastRead) {
    if (lastRead < MIN_SLAB && slab == null) {
      return null; // a quiet stream, without the lock: a stale view only means one copied read
    }
    byte[] lent;
    lock.lock();
    try {
      int size = slabSize();
      if (headOpen || size < MIN_LENT_SLAB) {
        return null;
      }
      Slab current = slab;
      // the last read filled what it was lent without ending a line (a long line): lending the
      // same room again would cut the line into as many small reads
      boolean filledWithoutLine =
          current != null
              && current.bytes == lentSlab
              && slabUsed == lentFrom
              && lastRead >= current.bytes.length - lentFrom;
      if (current == null || current.bytes.length - slabUsed < MIN_LEND || filledWithoutLine) {
        if (lastRead < MIN_SLAB) {
          return null;
        }
        long before = headBytes + ringBytes + spareBytes;
        newSlab(size);
        budget.charge(headBytes + ringBytes + spareBytes - before);
        trimRing();
        if (slab == null) {
          return null; // trimmed away at once: the window has no room for a slab now
        }
      }
      lent = slab.bytes;
      lentSlab = lent;
      lentFrom = slabUsed;
    } finally {
      lock.unlock();
    }
    if (budget.over()) {
      budget.reclaim();
    }
    return lent;
  }

  /** Where the read {@link #lendSlab} lent the slab for starts. */
  public int lentFrom() {
    return lentFrom;
  }

  /** The stream reached end of file: nothing is held back any more. */
  public void end() {
    List<Runnable> room;
    lock.lock();
    try {
      ended = true;
      room = takeRoomWaiters();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    room.forEach(Runnable::run);
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

  /** Bytes held in memory now, counting per-line overhead (for the tests of the budget). */
  long retainedBytes() {
    lock.lock();
    try {
      return headBytes + ringBytes + spareBytes;
    } finally {
      lock.unlock();
    }
  }

  /** A latest-lines cursor at the first line still held (or the very first line). */
  public Cursor newCursor() {
    return newCursor(false);
  }

  /**
   * A cursor at the first line still held. A {@code lossless} one holds back every line it has not
   * read from then on, until {@link #release released}.
   */
  public Cursor newCursor(boolean lossless) {
    Cursor c = new Cursor(lossless);
    if (lossless) {
      lock.lock();
      try {
        if (!ended) {
          this.lossless.add(c);
        } else {
          c.released = true;
        }
      } finally {
        lock.unlock();
      }
    }
    return c;
  }

  /** A latest-lines cursor after the last line appended so far. */
  public Cursor newCursorAtEnd() {
    Cursor c = new Cursor(false);
    lock.lock();
    try {
      c.next = nextSeq;
      c.nextOffset = nextOffset;
    } finally {
      lock.unlock();
    }
    return c;
  }

  /** This every-line cursor reads no more: it no longer holds anything back. Idempotent. */
  public void release(Cursor c) {
    if (!c.lossless) {
      return;
    }
    List<Runnable> room = List.of();
    lock.lock();
    try {
      if (!c.released) {
        c.released = true;
        lossless.remove(c);
        room = roomIfBelow();
        trimRing();
      }
    } finally {
      lock.unlock();
    }
    room.forEach(Runnable::run);
  }

  /**
   * Whether an every-line reader is so far behind that the writer should stop until {@link
   * #whenRoom} calls back.
   */
  public boolean full() {
    lock.lock();
    try {
      return holding;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code r} once the log is no longer {@link #full()}: at once (on this thread) if it is not
   * now.
   */
  public void whenRoom(Runnable r) {
    lock.lock();
    try {
      if (holding) {
        roomWaiters.add(r);
        return;
      }
    } finally {
      lock.unlock();
    }
    r.run();
  }

  /** When an every-line reader last read a line ({@link System#nanoTime()}). */
  public long lastLosslessRead() {
    return lastLosslessRead;
  }

  /** The most an every-line reader may have unread before the writer is held back. */
  public long backlogLimit() {
    return Math.clamp(budget.share() / 2, OutputBudget.MIN_SHARE / 2, MAX_BACKLOG);
  }

  /** Reads without waiting. */
  public Read poll(Cursor c) {
    List<Runnable> room;
    Read r;
    lock.lock();
    try {
      r = tryRead(c);
      room = afterRead(c, r);
    } finally {
      lock.unlock();
    }
    room.forEach(Runnable::run);
    return r;
  }

  /** Reads, waiting up to {@code timeout} for a line or the end. */
  public Read poll(Cursor c, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    List<Runnable> room;
    Read r;
    lock.lock();
    try {
      while (true) {
        r = tryRead(c);
        if (r != NONE || nanos <= 0) {
          break;
        }
        nanos = changed.awaitNanos(nanos);
      }
      room = afterRead(c, r);
    } finally {
      lock.unlock();
    }
    room.forEach(Runnable::run);
    return r;
  }

  /** Reads, waiting as long as it takes. */
  public Read take(Cursor c) throws InterruptedException {
    List<Runnable> room;
    Read r;
    lock.lock();
    try {
      while (true) {
        r = tryRead(c);
        if (r != NONE) {
          break;
        }
        changed.await(1, TimeUnit.MINUTES);
      }
      room = afterRead(c, r);
    } finally {
      lock.unlock();
    }
    room.forEach(Runnable::run);
    return r;
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

  /**
   * Drops lines down to this stream's current share of the budget; used by {@link
   * OutputBudget#reclaim()}.
   */
  void trim() {
    lock.lock();
    try {
      trimRing();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets every line held, giving its bytes back to the budget; readers then see a gap. */
  void releaseAll() {
    lock.lock();
    try {
      budget.charge(-(ringBytes + headBytes + spareBytes));
      head.clear();
      headBytes = 0;
      headOpen = false;
      ringLines = new byte[16][];
      ringStarts = new int[16];
      ringOffsets = new long[16];
      ringTimes = new long[16];
      ringComplete = new boolean[16];
      ringFirstSeq = nextSeq;
      ringStart = 0;
      ringSize = 0;
      ringBytes = 0;
      slab = null;
      lentSlab = null;
      slabs.clear();
      spares.clear();
      spareBytes = 0;
    } finally {
      lock.unlock();
    }
  }

  private List<Runnable> afterRead(Cursor c, Read r) {
    if (!c.lossless) {
      return List.of();
    }
    if (r == END) {
      c.released = true;
      lossless.remove(c);
    }
    if (r == NONE) {
      return List.of();
    }
    lastLosslessRead = System.nanoTime();
    List<Runnable> room = roomIfBelow();
    if (ringBytes + spareBytes > ringTarget()) {
      trimRing();
    }
    return room;
  }

  private List<Runnable> roomIfBelow() {
    if (holding && (lossless.isEmpty() || backlog() <= backlogLimit() / 2)) {
      return takeRoomWaiters();
    }
    return List.of();
  }

  private List<Runnable> takeRoomWaiters() {
    holding = false;
    if (roomWaiters.isEmpty()) {
      return List.of();
    }
    List<Runnable> room = List.copyOf(roomWaiters);
    roomWaiters.clear();
    return room;
  }

  /** Bytes appended that the slowest every-line cursor has not read yet and that are still held. */
  private long backlog() {
    long oldestHeld = ringSize > 0 ? ringOffsets[ringStart] : nextOffset;
    long slowest = Long.MAX_VALUE;
    for (Cursor c : lossless) {
      slowest = Math.min(slowest, Math.max(c.nextOffset, oldestHeld));
    }
    return slowest == Long.MAX_VALUE ? 0 : nextOffset - slowest;
  }

  /** The first line no every-line cursor still needs. */
  private long protectedFrom() {
    long min = Long.MAX_VALUE;
    for (Cursor c : lossless) {
      min = Math.min(min, c.next);
    }
    return min;
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
    long firstSeq = ringSize > 0 ? ringFirstSeq : nextSeq;
    if (c.next < firstSeq) {
      long firstOffset = ringSize > 0 ? ringOffsets[ringStart] : nextOffset;
      Read.Gap gap = new Read.Gap(firstSeq - c.next, firstOffset - c.nextOffset);
      c.missedLines += gap.lines();
      c.missedBytes += gap.bytes();
      c.next = firstSeq;
      c.nextOffset = firstOffset;
      return gap;
    }
    int at = (ringStart + (int) (c.next - firstSeq)) & (ringLines.length - 1);
    int start = ringStarts[at];
    byte[] bytes =
        start < 0
            ? ringLines[at]
            : Arrays.copyOfRange(ringLines[at], start, start + (int) lengthAt(at, c.next));
    Entry e = new Entry(c.next, ringOffsets[at], bytes, ringComplete[at], ringTimes[at]);
    advance(c, e);
    return new Read.Line(e);
  }

  private static void advance(Cursor c, Entry e) {
    c.next = e.seq() + 1;
    c.nextOffset = e.offset() + e.bytes().length;
  }

  /**
   * The length of the ring's line in {@code slot}, number {@code seq}: to the next line's offset.
   */
  private long lengthAt(int slot, long seq) {
    long end = seq == nextSeq - 1 ? nextOffset : ringOffsets[(slot + 1) & (ringLines.length - 1)];
    return end - ringOffsets[slot];
  }

  private long ringTarget() {
    return Math.min(windowBytes, budget.share()) - headBytes;
  }

  /** Lines {@code [from, to)} of {@code batch} go to the ring, after what it holds. */
  private void pushRing(LineBatch batch, int from, int to, long atMillis) {
    int n = to - from;
    if (ringSize == 0) {
      ringFirstSeq = nextSeq;
    }
    if (ringSize + n > ringLines.length) {
      resize(Integer.highestOneBit(ringSize + n - 1) << 1);
    }
    int mask = ringLines.length - 1;
    int at = ringStart + ringSize;
    long offset = nextOffset;
    long cost = (long) n * ENTRY_OVERHEAD;
    long left = batch.bytes();
    for (int i = 0; i < from; i++) {
      left -= batch.length(i);
    }
    // Lines that lie one after the other in the read go to the slab in one copy (a run).
    byte[] runFrom = null;
    int runStart = 0;
    int runLength = 0;
    byte[] runTo = null;
    int runAt = 0;
    long seq = nextSeq;
    for (int i = from; i < to; i++, at++, seq++) {
      int length = batch.length(i);
      int slot = at & mask;
      // A line read into the slab stays where it is. A line with an array of its own (the events
      // share it) is kept as it is; another view is copied into the slab if short enough for one.
      if (!batch.owned(i) && inSlab(batch.array(i), batch.start(i))) {
        ringLines[slot] = slab.bytes;
        ringStarts[slot] = batch.start(i);
        slabUsed = batch.start(i) + length;
        placed(seq);
      } else if (!batch.owned(i) && (fitsSlab(length) || takeSlab(length, left))) {
        byte[] src = batch.array(i);
        int start = batch.start(i);
        byte[] dst = slab.bytes;
        if (src != runFrom || start != runStart + runLength || dst != runTo) {
          if (runLength > 0) {
            System.arraycopy(runFrom, runStart, runTo, runAt, runLength);
          }
          runFrom = src;
          runStart = start;
          runLength = 0;
          runTo = dst;
          runAt = slabUsed;
        }
        runLength += length;
        ringLines[slot] = dst;
        ringStarts[slot] = slabUsed;
        slabUsed += length;
        placed(seq);
      } else {
        ringLines[slot] = batch.line(i);
        ringStarts[slot] = -1;
        cost += length;
      }
      left -= length;
      ringOffsets[slot] = offset;
      ringTimes[slot] = atMillis;
      ringComplete[slot] = batch.complete(i);
      offset += length;
    }
    if (runLength > 0) {
      System.arraycopy(runFrom, runStart, runTo, runAt, runLength);
    }
    ringBytes += cost;
    nextOffset = offset;
    nextSeq += n;
    ringSize += n;
  }

  /** Whether a view at {@code start} of {@code array} lies in the slab being filled, unused. */
  private boolean inSlab(byte[] array, int start) {
    Slab current = slab;
    return current != null && array == current.bytes && start >= slabUsed;
  }

  /** Line {@code seq} went into the slab being filled. */
  private void placed(long seq) {
    if (slab.lastSeq < 0) {
      slabs.addLast(slab);
    }
    slab.lastSeq = seq;
  }

  /** Whether a line of {@code length} goes into the slab being filled, which has room for it. */
  private boolean fitsSlab(int length) {
    Slab current = slab;
    return current != null
        && length <= current.bytes.length / LINES_PER_SLAB
        && slabUsed + length <= current.bytes.length;
  }

  /**
   * Makes a new slab the one lines are copied into, charged in full: one of the largest size (a
   * spare if there is one) when the read has that much left, else one just large enough.
   *
   * @param left bytes of the read's lines from this one on
   * @return false, with no new slab: the window is too small for slabs, the line too long for one,
   *     or the read too short
   */
  private boolean takeSlab(int length, long left) {
    int max = slabSize();
    if ((long) length * LINES_PER_SLAB > max || left < MIN_SLAB) {
      return false;
    }
    long wanted = Math.max(left, (long) length * LINES_PER_SLAB);
    newSlab(wanted >= max ? max : Math.min(max, Integer.highestOneBit((int) wanted - 1) << 1));
    return true;
  }

  /**
   * Makes a new slab of {@code size} the one being filled, charged in full (a spare if there is one
   * of that size); the caller charges the budget the difference. The slab it replaces stays with
   * its lines, or, holding none yet, goes back to the spares.
   */
  private void newSlab(int size) {
    if (slab != null && slab.lastSeq < 0) {
      letGoEmptySlab(true); // no read goes into it now: the appending thread is here
    }
    byte[] bytes = size == slabSize() ? spares.poll() : null;
    if (bytes != null) {
      spareBytes -= bytes.length; // a spare of another size (the share changed) is let go
    }
    if (bytes == null || bytes.length != size) {
      bytes = new byte[size];
    }
    slab = new Slab(bytes);
    slabUsed = 0;
    ringBytes += size;
  }

  /** The size of a new slab for the window's target now; 0 when too small for slabs. */
  private int slabSize() {
    long target = ringTarget();
    return target < 32L * MIN_SLAB ? 0 : (int) Math.min(MAX_SLAB, target / 32);
  }

  /**
   * The last line of the oldest slab has left the ring: the slab becomes a spare, or is let go.
   *
   * @return the bytes given back to the budget
   */
  private long releaseOldestSlab(long target) {
    Slab oldest = slabs.pollFirst();
    byte[] emptied = oldest.bytes;
    ringBytes -= emptied.length;
    if (oldest == slab) {
      slab = null;
      return emptied.length; // not reused: a read may be going into it (lendSlab)
    }
    return spare(emptied, target) ? 0 : emptied.length;
  }

  /**
   * Lets go of the slab being filled, which holds no line yet (it is in no list but {@link #slab}).
   *
   * @param reuse whether it may become a spare: only when no read can be going into it
   * @return the bytes given back to the budget
   */
  private long letGoEmptySlab(boolean reuse) {
    byte[] bytes = slab.bytes;
    slab = null;
    ringBytes -= bytes.length;
    return reuse && spare(bytes, ringTarget()) ? 0 : bytes.length;
  }

  /** Keeps an emptied slab for reuse if the spares have room for it; false: it is let go. */
  private boolean spare(byte[] emptied, long target) {
    if (spares.size() < MAX_SPARES
        && emptied.length == slabSize()
        && spareBytes + emptied.length <= target / SPARE_SHARE) {
      spares.push(emptied);
      spareBytes += emptied.length;
      return true;
    }
    return false;
  }

  /**
   * Lets go of spares of another size than new slabs get, and of spares beyond {@code keep} bytes.
   *
   * @return the bytes given back to the budget
   */
  private long dropSpares(long keep) {
    long freed = 0;
    int size = slabSize();
    while (!spares.isEmpty() && (spares.peek().length != size || spareBytes > keep)) {
      byte[] spare = spares.pop();
      spareBytes -= spare.length;
      freed += spare.length;
    }
    return freed;
  }

  /**
   * Drops the oldest lines beyond the target, except the newest line and what every-line cursors
   * need. When the budget's share has fallen below what the pinned head holds, the head gives up
   * its last lines too (its first line stays).
   */
  private void trimRing() {
    long freed = 0;
    long headCap = budget.share() / 2;
    if (headBytes > headCap) {
      long keepFrom = protectedFrom();
      while (headBytes > headCap && head.size() > 1 && head.getLast().seq() < keepFrom) {
        Entry last = head.removeLast();
        long c = cost(last.bytes());
        headBytes -= c;
        freed += c;
      }
      headOpen = false;
    }
    long target = ringTarget();
    freed += dropSpares(target / SPARE_SHARE);
    if (ringBytes + spareBytes <= target) {
      if (freed > 0) {
        budget.charge(-freed);
      }
      return;
    }
    long keepFrom = protectedFrom();
    boolean held = keepFrom != Long.MAX_VALUE;
    // The sizes come from the columns: eviction never touches the old lines' bytes, which are long
    // out of the cache.
    int mask = ringLines.length - 1;
    while (ringBytes + spareBytes > target && ringSize > 1 && (!held || ringFirstSeq < keepFrom)) {
      int old = ringStart;
      ringLines[old] = null;
      ringStart = (old + 1) & mask;
      ringSize--;
      long seq = ringFirstSeq++;
      long c =
          ENTRY_OVERHEAD + (ringStarts[old] < 0 ? ringOffsets[ringStart] - ringOffsets[old] : 0);
      ringBytes -= c;
      freed += c;
      if (ringStarts[old] >= 0 && slabs.peekFirst().lastSeq == seq) {
        freed += releaseOldestSlab(target);
      }
    }
    if (ringBytes + spareBytes > target && slab != null && slab.lastSeq < 0) {
      freed += letGoEmptySlab(false); // a read may be going into it; its lines are then copied
    }
    freed += dropSpares(target - ringBytes); // lines an every-line reader holds come first
    if (ringSize < ringLines.length / 4 && ringLines.length > 64) {
      resize(ringLines.length / 2);
    }
    if (freed > 0) {
      budget.charge(-freed);
    }
  }

  private void resize(int length) {
    byte[][] lines = new byte[length][];
    int[] starts = new int[length];
    long[] offsets = new long[length];
    long[] times = new long[length];
    boolean[] complete = new boolean[length];
    int mask = ringLines.length - 1;
    for (int i = 0; i < ringSize; i++) {
      int from = (ringStart + i) & mask;
      lines[i] = ringLines[from];
      starts[i] = ringStarts[from];
      offsets[i] = ringOffsets[from];
      times[i] = ringTimes[from];
      complete[i] = ringComplete[from];
    }
    ringLines = lines;
    ringStarts = starts;
    ringOffsets = offsets;
    ringTimes = times;
    ringComplete = complete;
    ringStart = 0;
  }

  private static long cost(byte[] bytes) {
    return (long) bytes.length + ENTRY_OVERHEAD;
  }
}
