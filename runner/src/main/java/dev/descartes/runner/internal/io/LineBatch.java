package dev.descartes.runner.internal.io;

import java.util.Arrays;

/**
 * The lines framed from one read, appended to a {@link LineLog} together and then handed to the
 * event dispatch: one lock, one timestamp and one budget charge per read instead of per line.
 * Reused from read to read. Not thread-safe: one per stream, used by the thread that feeds the
 * stream.
 */
public final class LineBatch implements LineFramer.LineSink {

  private byte[][] lines = new byte[64][];
  private boolean[] complete = new boolean[64];
  private int size;
  private int ended;

  /** Adds a line (newline included, if it had one). */
  public void add(byte[] line, boolean isComplete) {
    if (size == lines.length) {
      int n = size * 2;
      lines = Arrays.copyOf(lines, n);
      complete = Arrays.copyOf(complete, n);
    }
    lines[size] = line;
    complete[size] = isComplete;
    size++;
    if (isComplete || (line.length > 0 && line[line.length - 1] == '\n')) {
      ended++;
    }
  }

  @Override
  public void line(byte[] bytes, boolean isComplete) {
    add(bytes, isComplete);
  }

  public int size() {
    return size;
  }

  /**
   * The lines of the batch that end a line of the stream: complete ones, and the last piece of a
   * line cut for its length.
   */
  public int ended() {
    return ended;
  }

  public byte[] line(int i) {
    return lines[i];
  }

  public boolean complete(int i) {
    return complete[i];
  }

  /** Empties the batch, letting go of its lines. */
  public void clear() {
    Arrays.fill(lines, 0, size, null);
    size = 0;
    ended = 0;
  }
}
