package dev.descartes.runner.internal.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Splits a byte stream into lines, newline included. A line longer than {@code maxLine} is emitted
 * in pieces of {@code maxLine} bytes marked incomplete, so one huge line never needs more than
 * {@code maxLine} bytes of memory. A line that lies whole in one fed buffer is handed over as a
 * view of it ({@link LineSink#view}), with no copy; only a line that spans feeds is assembled in an
 * array. Bytes are never decoded here: invalid UTF-8 passes through. Not thread-safe: one framer
 * per stream, fed by one thread.
 */
public final class LineFramer {

  /** Receives framed lines. */
  @FunctionalInterface
  public interface LineSink {
    /** A line in an array of its own, which the sink may keep. */
    void line(byte[] bytes, boolean complete);

    /**
     * A line that lies whole in the buffer being fed: {@code buf[start, start + length)}, valid
     * only until {@link #feed} returns. By default copied into an array of its own.
     */
    default void view(byte[] buf, int start, int length, boolean complete) {
      line(Arrays.copyOfRange(buf, start, start + length), complete);
    }
  }

  private final int maxLine;
  private final LineSink sink;
  private byte[] partial = new byte[256];
  private int length;
  private boolean inLongLine;

  public LineFramer(int maxLine, LineSink sink) {
    this.maxLine = maxLine;
    this.sink = sink;
  }

  public void feed(byte[] buf, int off, int len) {
    int end = off + len;
    int start = off;
    int i = off;
    // 32 bytes a turn, one branch for all four words; a word with newlines yields each in order
    for (; i + 32 <= end; i += 32) {
      long m0 = newlines((long) LONGS.get(buf, i));
      long m1 = newlines((long) LONGS.get(buf, i + 8));
      long m2 = newlines((long) LONGS.get(buf, i + 16));
      long m3 = newlines((long) LONGS.get(buf, i + 24));
      if ((m0 | m1 | m2 | m3) != 0) {
        start = emitAll(buf, start, i, m0);
        start = emitAll(buf, start, i + 8, m1);
        start = emitAll(buf, start, i + 16, m2);
        start = emitAll(buf, start, i + 24, m3);
      }
    }
    for (; i < end; i++) {
      if (buf[i] == '\n') {
        emitThrough(buf, start, i + 1);
        start = i + 1;
      }
    }
    if (start < end) {
      append(buf, start, end - start);
    }
  }

  /** Emits the line ending at each newline flagged in {@code mask} (the word at {@code base}). */
  private int emitAll(byte[] buf, int start, int base, long mask) {
    while (mask != 0) {
      int nl = base + (Long.numberOfTrailingZeros(mask) >>> 3);
      emitThrough(buf, start, nl + 1);
      start = nl + 1;
      mask &= mask - 1;
    }
    return start;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long LOWS = 0x7f7f7f7f7f7f7f7fL;

  /**
   * The high bit of each byte of {@code word} that is a {@code '\n'}, and no other bit. Exact for
   * every byte (no borrow crosses bytes): after the xor a newline is a zero byte; adding 0x7f to
   * the low seven bits sets the high bit of every byte that has any of them set, or-ing the word
   * adds the bytes whose own high bit is set, so the bytes still without a high bit are the zeros.
   */
  static long newlines(long word) {
    long x = word ^ NEWLINES;
    return ~(((x & LOWS) + LOWS) | x | LOWS);
  }

  /**
   * The index of the first {@code '\n'} in {@code buf[from, to)}, or -1: eight bytes at a time,
   * through {@link #newlines}.
   */
  public static int indexOfNewline(byte[] buf, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long found = newlines((long) LONGS.get(buf, i));
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** End of stream: a last line without a newline is emitted as it is. */
  public void finish() {
    if (length > 0) {
      emit(Arrays.copyOf(partial, length));
    }
    length = 0;
    partial = new byte[0];
  }

  // Small, so that the compiler inlines it into the newline loop: the rare cases are apart.
  private void emitThrough(byte[] buf, int start, int endExclusive) {
    int n = endExclusive - start;
    if (length == 0 && n <= maxLine) {
      boolean complete = !inLongLine;
      inLongLine = false;
      sink.view(buf, start, n, complete);
      return;
    }
    emitJoined(buf, start, n);
  }

  /** The line's end, joined to what came before it (or cut for its length). */
  private void emitJoined(byte[] buf, int start, int n) {
    append(buf, start, n);
    if (length > 0) {
      emit(Arrays.copyOf(partial, length));
      length = 0;
    }
  }

  /** Appends to the partial line, flushing full pieces of {@code maxLine} bytes. */
  private void append(byte[] buf, int start, int n) {
    while (n > 0) {
      int room = maxLine - length;
      int take = Math.min(room, n);
      ensureCapacity(length + take);
      System.arraycopy(buf, start, partial, length, take);
      length += take;
      start += take;
      n -= take;
      if (length == maxLine && (n > 0 || partial[length - 1] != '\n')) {
        inLongLine = true;
        sink.line(Arrays.copyOf(partial, length), false);
        length = 0;
      }
    }
  }

  private void emit(byte[] line) {
    boolean complete = !inLongLine;
    inLongLine = false;
    sink.line(line, complete);
  }

  private void ensureCapacity(int needed) {
    if (needed > partial.length) {
      partial = Arrays.copyOf(partial, Math.min(maxLine, Math.max(needed, partial.length * 2)));
    }
  }
}
