package dev.descartes.runner.internal.io;

import java.util.Arrays;

/**
 * The lines framed from one read, appended to a {@link LineLog} together: one lock, one timestamp
 * and one budget charge per read instead of per line. Reused from read to read; {@link #entry}
 * holds what the log made of each line after {@link LineLog#append(LineBatch, long)}. Not
 * thread-safe: one per stream, used by the thread that feeds the stream.
 */
public final class LineBatch {

  private byte[][] lines = new byte[64][];
  private boolean[] complete = new boolean[64];
  private LineLog.Entry[] entries = new LineLog.Entry[64];
  private int size;

  /** Adds a line (newline included, if it had one). */
  public void add(byte[] line, boolean isComplete) {
    if (size == lines.length) {
      int n = size * 2;
      lines = Arrays.copyOf(lines, n);
      complete = Arrays.copyOf(complete, n);
      entries = Arrays.copyOf(entries, n);
    }
    lines[size] = line;
    complete[size] = isComplete;
    size++;
  }

  public int size() {
    return size;
  }

  public byte[] line(int i) {
    return lines[i];
  }

  public boolean complete(int i) {
    return complete[i];
  }

  /** The log's entry for line {@code i}, once appended. */
  public LineLog.Entry entry(int i) {
    return entries[i];
  }

  void entry(int i, LineLog.Entry e) {
    entries[i] = e;
  }

  /** Empties the batch, letting go of its lines. */
  public void clear() {
    Arrays.fill(lines, 0, size, null);
    Arrays.fill(entries, 0, size, null);
    size = 0;
  }
}
