package dev.descartes.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One output stream of an agent (stdout or stderr), read line by line.
 *
 * <p>The handle's own readers ({@link AgentHandle#stdout()}, {@link AgentHandle#stderr()}, and so
 * {@code readStdout}/{@code readStderr}) deliver the {@link OutputDelivery#LATEST latest lines}:
 * the runner drains both streams all the time, whether or not anyone reads, so an agent never
 * blocks on a full pipe. Lines wait in a bounded in-memory window ({@link
 * ProcessRunnerConfig#outputWindowBytes()}, within the runner's {@link
 * ProcessRunnerConfig#outputMemoryBudget()}); when it is full the oldest lines are dropped, except
 * the first {@link ProcessRunnerConfig#pinnedHeadBytes()} of stdout. A reader that falls behind
 * skips to the oldest line still held and {@link #missedLines()} / {@link #missedBytes()} say how
 * much it lost. The transcript, when enabled, has every byte.
 *
 * <p>A reader opened with {@link AgentHandle#stdout(OutputDelivery) stdout(EVERY_LINE)} misses
 * nothing from the line it starts at: while it is behind, the agent is held back instead. Close it
 * (or read it to the end) when done.
 *
 * <p>Each reader is shared: each line is delivered to one caller. Thread-safe.
 */
public interface AgentOutput extends AutoCloseable {

  /** {@return the next line, or empty if none is waiting} Never blocks. */
  Optional<OutputLine> poll();

  /**
   * The next line, waiting up to {@code timeout} for one.
   *
   * @param timeout the longest wait
   * @return the line; empty on timeout, or when the stream has ended and every line was read
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  Optional<OutputLine> poll(Duration timeout) throws InterruptedException;

  /** {@return whether the stream reached end of file and every retained line was read} */
  boolean isFinished();

  /** {@return lines this reader missed because it fell behind the window} */
  long missedLines();

  /** {@return bytes this reader missed because it fell behind the window} */
  long missedBytes();

  /** {@return lines the agent wrote to this stream so far} */
  long totalLines();

  /** {@return bytes the agent wrote to this stream so far} */
  long totalBytes();

  /** {@return the file holding every byte of this stream, when transcripts are enabled} */
  Optional<Path> transcript();

  /** {@return how this reader is served when it falls behind} */
  default OutputDelivery delivery() {
    return OutputDelivery.LATEST;
  }

  /**
   * This reader reads no more: an {@link OutputDelivery#EVERY_LINE} reader stops holding the agent
   * back. Nothing for the handle's own readers. Idempotent.
   */
  @Override
  default void close() {}
}
