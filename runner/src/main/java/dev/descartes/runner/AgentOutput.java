package dev.descartes.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One output stream of an agent (stdout or stderr), read line by line.
 *
 * <p>The runner drains both streams all the time, whether or not anyone reads, so an agent never
 * blocks on a full pipe. Lines wait in a bounded in-memory window ({@link
 * ProcessRunnerConfig#outputWindowBytes()}); when it is full the oldest lines are dropped, except
 * the first {@link ProcessRunnerConfig#pinnedHeadBytes()} of stdout. A reader that falls behind
 * skips to the oldest line still held and {@link #missedLines()} / {@link #missedBytes()} say how
 * much it lost. The transcript, when enabled, has every byte.
 *
 * <p>This object is the handle's own reader: it is shared, and each line is delivered to one
 * caller. Thread-safe.
 */
public interface AgentOutput {

  /** The next line, or empty if none is waiting. Never blocks. */
  Optional<OutputLine> poll();

  /**
   * The next line, waiting up to {@code timeout} for one.
   *
   * @return empty on timeout, or when the stream has ended and every line was read
   */
  Optional<OutputLine> poll(Duration timeout) throws InterruptedException;

  /** Whether the stream reached end of file and every retained line was read. */
  boolean isFinished();

  /** Lines this reader missed because it fell behind the window. */
  long missedLines();

  /** Bytes this reader missed because it fell behind the window. */
  long missedBytes();

  /** Lines the agent wrote to this stream so far. */
  long totalLines();

  /** Bytes the agent wrote to this stream so far. */
  long totalBytes();

  /** The file holding every byte of this stream, when transcripts are enabled. */
  Optional<Path> transcript();
}
