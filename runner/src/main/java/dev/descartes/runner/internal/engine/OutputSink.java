package dev.descartes.runner.internal.engine;

/**
 * Where an engine delivers the bytes of one output stream. Called by one thread at a time.
 *
 * <p>Backpressure: after each {@link #data} call the engine asks {@link #full()}; while it is true
 * the engine hands over no more bytes and stops reading the pipe (so the agent blocks in {@code
 * write}), until the callback given to {@link #whenRoom} runs.
 */
public interface OutputSink {

  /**
   * Bytes read from the stream: {@code buf} is the engine's buffer, reused after the call returns,
   * or the array the sink lent for this read ({@link #lend}).
   */
  void data(byte[] buf, int off, int len);

  /**
   * Offers a stretch of the sink's own memory for the stream's next read, so that the bytes land
   * where the sink keeps them and need no copy. On true the engine reads into {@link
   * ReadSpace#array()} from {@link ReadSpace#from()} up to {@link ReadSpace#to()} and hands what it
   * read to {@link #data} as that array and offset. Asked before each read, by the thread about to
   * read; false (the default): the engine reads into its own buffer.
   */
  default boolean lend(ReadSpace space) {
    return false;
  }

  /** End of file (or the stream was abandoned); called exactly once. */
  void end();

  /**
   * Whether {@link #data} and {@link #end} only ever do short work that never waits for another
   * thread (no listener of the user's runs inside them): the native engine then may call them on
   * its event loop thread, which saves a thread switch per read. False unless the sink says so.
   */
  default boolean neverBlocks() {
    return false;
  }

  /**
   * Runs {@code log}, a log statement about this stream, in its owner's logging context (for an
   * agent's stream, its id and name as MDC fields), so that every line about an agent names it.
   */
  default void inLogContext(Runnable log) {
    log.run();
  }

  /** Whether the sink wants no more bytes for now. */
  default boolean full() {
    return false;
  }

  /**
   * Runs {@code resume} once the sink has room again, on whichever thread makes the room; at once,
   * on the caller's thread, if it has room now. Must not block.
   */
  default void whenRoom(Runnable resume) {
    resume.run();
  }

  /**
   * Offered once by an engine that can read this stream on a waiting reader's own thread (see
   * {@link DirectRead}); a sink may keep it for its readers or ignore it.
   */
  default void offerDirectRead(DirectRead read) {}

  /** Reads a stream's pipe on the calling thread, as a delivery thread would. */
  @FunctionalInterface
  interface DirectRead {
    /**
     * Waits up to {@code nanos} for the pipe's next bytes on the calling thread, then reads them
     * and hands them to the sink: a reader waiting for a line gets it without a thread switch. Once
     * it has the stream to itself, it first asks {@code delivered} whether another thread handed
     * the sink something since the caller last looked; if so it returns at once, having read
     * nothing.
     *
     * @param nanos the longest wait
     * @param delivered whether the sink got something the caller has not seen yet
     * @return false, having done nothing, when this thread may not: another thread runs the stream,
     *     the sink may block, the stream is not delivered yet or has ended, or the caller is a
     *     virtual thread (a blocking {@code poll} would hold its carrier); the caller then waits
     *     for delivery as usual
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    boolean await(long nanos, java.util.function.BooleanSupplier delivered)
        throws InterruptedException;
  }

  /**
   * Where the next read goes, as {@link #lend} set it. Not thread-safe: one per stream, used by the
   * thread that reads it.
   */
  final class ReadSpace {
    private byte[] array;
    private int from;
    private int to;

    /** Sets where the next read goes: {@code array[from, to)}. */
    public void set(byte[] array, int from, int to) {
      this.array = array;
      this.from = from;
      this.to = to;
    }

    /** The array the next read goes into. */
    public byte[] array() {
      return array;
    }

    /** Where in {@link #array()} the read starts. */
    public int from() {
      return from;
    }

    /** Where in {@link #array()} the read must stop (exclusive). */
    public int to() {
      return to;
    }
  }
}
