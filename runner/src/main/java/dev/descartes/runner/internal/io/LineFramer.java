package dev.descartes.runner.internal.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Splits a byte stream into lines, newline included. A line longer than {@code maxLine} is emitted
 * in pieces of {@code maxLine} bytes marked incomplete, so one huge line never needs more than
 * {@code maxLine} bytes of memory. Bytes are never decoded here: invalid UTF-8 passes through. Not
 * thread-safe: one framer per stream, fed by one thread.
 */
public final class LineFramer {

  /** Receives framed lines. */
  @FunctionalInterface
  public interface LineSink {
    void line(byte[] bytes, boolean complete);
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
    int nl;
    while ((nl = indexOfNewline(buf, start, end)) >= 0) {
      emitThrough(buf, start, nl + 1);
      start = nl + 1;
    }
    if (start < end) {
      append(buf, start, end - start);
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first {@code '\n'} in {@code buf[from, to)}, or -1: eight bytes at a time (a
   * word with a zero byte where the newline was; the lowest flagged byte is the first newline,
   * since the borrow of the subtraction only flags bytes above a true zero).
   */
  public static int indexOfNewline(byte[] buf, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(buf, i) ^ NEWLINES;
      long found = (x - ONES) & ~x & HIGHS;
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

  private void emitThrough(byte[] buf, int start, int endExclusive) {
    int n = endExclusive - start;
    if (length == 0 && n <= maxLine) {
      emit(Arrays.copyOfRange(buf, start, endExclusive));
      return;
    }
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
