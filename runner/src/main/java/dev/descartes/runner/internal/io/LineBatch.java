package dev.descartes.runner.internal.io;

import java.util.Arrays;

/**
 * The lines framed from one read, appended to a {@link LineLog} together and then handed to the
 * event dispatch: one lock, one timestamp and one budget charge per read instead of per line.
 *
 * <p>A line is either an array of its own or a view of the read buffer ({@link #view}), valid only
 * until the read is handled: {@link #line(int)} turns a view into an array of its own on first use,
 * so the log and the events share one copy, and a consumer of views ({@link #array}, {@link
 * #start}, {@link #length}) needs none. Reused from read to read; it starts small (a quiet stream
 * frames a line or two per read) and grows to the largest read's lines. Not thread-safe: one per
 * stream, used by the thread that feeds the stream.
 */
public final class LineBatch implements LineFramer.LineSink {

  // A line's own array, or null for a view of the one buffer the batch's views are of (a reference
  // store per line costs a write barrier; a batch comes from one read).
  private byte[][] arrays = new byte[8][];
  private byte[] viewed;
  private int ownedLines;
  private int[] starts = new int[8];
  private int[] lengths = new int[8];
  private boolean[] complete = new boolean[8];
  private int size;
  private int ended;
  private long bytes;

  /** Adds a line in an array of its own (newline included, if it had one). */
  public void add(byte[] line, boolean isComplete) {
    put(line, 0, line.length, isComplete);
    arrays[size - 1] = line;
    ownedLines++;
  }

  @Override
  public void line(byte[] bytes, boolean isComplete) {
    add(bytes, isComplete);
  }

  /** Adds a line that is a view of a buffer valid until the batch is handled. */
  @Override
  public void view(byte[] buf, int start, int length, boolean isComplete) {
    if (viewed == null) {
      viewed = buf;
    } else if (buf != viewed) {
      add(Arrays.copyOfRange(buf, start, start + length), isComplete); // views of a second buffer
      return;
    }
    put(buf, start, length, isComplete);
  }

  private void put(byte[] buf, int start, int length, boolean isComplete) {
    if (size == starts.length) {
      grow();
    }
    starts[size] = start;
    lengths[size] = length;
    complete[size] = isComplete;
    size++;
    bytes += length;
    if (isComplete || (length > 0 && buf[start + length - 1] == '\n')) {
      ended++;
    }
  }

  private void grow() {
    int n = size * 2;
    arrays = Arrays.copyOf(arrays, n);
    starts = Arrays.copyOf(starts, n);
    lengths = Arrays.copyOf(lengths, n);
    complete = Arrays.copyOf(complete, n);
  }

  public int size() {
    return size;
  }

  /** Bytes of all lines of the batch. */
  public long bytes() {
    return bytes;
  }

  /**
   * The lines of the batch that end a line of the stream: complete ones, and the last piece of a
   * line cut for its length.
   */
  public int ended() {
    return ended;
  }

  /** Line {@code i} in an array of its own: a view is copied once, and stays that copy. */
  public byte[] line(int i) {
    byte[] own = arrays[i];
    if (own == null) {
      own = Arrays.copyOfRange(viewed, starts[i], starts[i] + lengths[i]);
      arrays[i] = own;
      starts[i] = 0;
      ownedLines++;
    }
    return own;
  }

  /** Gives every line an array of its own ({@link #line(int)}). */
  public void own() {
    for (int i = 0; i < size; i++) {
      line(i);
    }
  }

  /** Whether line {@code i} is in an array of its own, which may be kept. */
  public boolean owned(int i) {
    return arrays[i] != null;
  }

  /** The array that holds line {@code i}: its own, or the read buffer. */
  public byte[] array(int i) {
    byte[] own = arrays[i];
    return own != null ? own : viewed;
  }

  /** Where line {@code i} starts in {@link #array(int)}. */
  public int start(int i) {
    return starts[i];
  }

  public int length(int i) {
    return lengths[i];
  }

  public boolean complete(int i) {
    return complete[i];
  }

  /** Empties the batch, letting go of its lines. */
  public void clear() {
    if (ownedLines > 0) {
      Arrays.fill(arrays, 0, size, null);
      ownedLines = 0;
    }
    viewed = null;
    size = 0;
    ended = 0;
    bytes = 0;
  }
}
