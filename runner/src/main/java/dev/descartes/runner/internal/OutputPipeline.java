package dev.descartes.runner.internal;

import dev.descartes.runner.AgentId;
import dev.descartes.runner.internal.engine.OutputSink;
import dev.descartes.runner.internal.io.LineBatch;
import dev.descartes.runner.internal.io.LineFramer;
import dev.descartes.runner.internal.io.LineLog;
import dev.descartes.runner.internal.io.OutputBudget;
import dev.descartes.runner.internal.io.Transcript;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output stream of one agent, from the engine's bytes to everything that consumes them: the
 * transcript (every byte), the line framer, the bounded {@link LineLog}, counters, and a per-line
 * callback (event listeners, which see every line: a slow one holds this stream back). The lines of
 * one read are appended to the log as one batch, with one timestamp. Fed by one engine thread at a
 * time; full while an every-line reader of the log is behind.
 */
final class OutputPipeline implements OutputSink {

  /** What gets every line, on the thread that feeds the pipeline. */
  interface LineHandler {
    /**
     * The lines of one read, in order, all read at {@code atMillis}; {@code batch} is reused once
     * this returns.
     */
    void lines(LineBatch batch, long atMillis);

    /**
     * Whether handling a line is short work that never waits for another thread (no listener of the
     * user's is called).
     */
    default boolean neverBlocks() {
      return false;
    }

    /**
     * Whether it will want each line in an array of its own ({@link LineBatch#line(int)}): the log
     * then keeps those arrays rather than copying the lines into its slabs.
     */
    default boolean needsArrays() {
      return true;
    }

    /**
     * How many lines it has handled so far; read from other threads, as a sign of progress (a slow
     * listener still working through what an agent wrote before it exited).
     */
    long handled();
  }

  private static final Logger LOG = LoggerFactory.getLogger(OutputPipeline.class);

  private final AgentId agent;
  private final String agentName;
  private final LineLog log;
  private final LineFramer framer;
  private final LineBatch batch = new LineBatch();
  private final Transcript transcript;
  private volatile OutputSink.DirectRead directRead;
  private final LineHandler onLine;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long bytes;
  private volatile long lines;
  private volatile long lastOutputMillis;

  /** The size of the last read: the feeding thread's. */
  private int lastRead;

  OutputPipeline(
      AgentId agent,
      String agentName,
      long windowBytes,
      long pinnedBytes,
      OutputBudget budget,
      int maxLine,
      Transcript transcript,
      LineHandler onLine) {
    this.agent = agent;
    this.agentName = agentName;
    this.log = new LineLog(windowBytes, pinnedBytes, budget);
    this.transcript = transcript;
    this.onLine = onLine;
    this.framer = new LineFramer(maxLine, batch);
  }

  @Override
  public void inLogContext(Runnable logStatement) {
    try (var _ = AgentMdc.of(agent, agentName)) {
      logStatement.run();
    }
  }

  @Override
  public synchronized void data(byte[] buf, int off, int len) {
    if (closed.get()) {
      return;
    }
    if (transcript != null) {
      IOException failure = transcript.write(buf, off, len);
      if (failure != null) {
        inLogContext(
            () ->
                LOG.warn(
                    "transcript {} stopped after a write error: {}",
                    transcript.path(),
                    failure.toString()));
      }
    }
    bytes += len;
    lastRead = len;
    long now = System.currentTimeMillis();
    lastOutputMillis = now;
    framer.feed(buf, off, len);
    flush(now);
  }

  /**
   * Lends the window's slab for the next read when the lines may stay where the read puts them: no
   * listener needs each line in an array of its own. The log decides whether the stream is busy
   * enough for a slab ({@link LineLog#lendSlab}).
   */
  @Override
  public boolean lend(OutputSink.ReadSpace space) {
    if (closed.get() || (onLine != null && onLine.needsArrays())) {
      return false;
    }
    byte[] slab = log.lendSlab(lastRead);
    if (slab == null) {
      return false;
    }
    space.set(slab, log.lentFrom(), slab.length);
    return true;
  }

  /** Appends the lines framed so far to the log, then hands them to the listener. */
  private void flush(long now) {
    if (batch.size() == 0) {
      return;
    }
    lines += batch.ended();
    try {
      if (onLine != null && onLine.needsArrays()) {
        batch.own(); // one copy per line, shared by the log and the events
      }
      log.append(batch, now);
      if (onLine != null) {
        onLine.lines(batch, now);
      }
    } finally {
      batch.clear(); // its views are of a buffer the next read reuses, whatever happened here
    }
  }

  /** No listener of the user's, and no transcript file: disk writes stay off the event loop. */
  @Override
  public boolean neverBlocks() {
    return transcript == null && (onLine == null || onLine.neverBlocks());
  }

  @Override
  public void offerDirectRead(OutputSink.DirectRead read) {
    directRead = read;
  }

  /**
   * Reads the pipe on the calling thread, waiting up to {@code nanos}, where the engine offers it
   * and nothing runs on delivery: see {@link OutputSink.DirectRead}.
   *
   * @param linesSeen {@link #lines()} when the caller last found no line
   * @return whether it read (or waited) here; false: wait for delivery
   */
  boolean readDirect(long nanos, long linesSeen) throws InterruptedException {
    OutputSink.DirectRead d = directRead;
    return d != null && d.await(nanos, () -> lines != linesSeen);
  }

  /** An every-line reader is behind: the engine stops reading this stream until it catches up. */
  @Override
  public boolean full() {
    return log.full();
  }

  @Override
  public void whenRoom(Runnable resume) {
    log.whenRoom(resume);
  }

  @Override
  public synchronized void end() {
    if (closed.compareAndSet(false, true)) {
      framer.finish();
      flush(System.currentTimeMillis());
      log.end();
      if (transcript != null) {
        transcript.close();
      }
      ended.complete(null);
    }
  }

  /**
   * Waits for {@code ended}, giving up after {@code timeout} without progress: no line listener of
   * any of {@code pipelines} handled a line, and no every-line reader read one while it held its
   * stream back, in that time.
   */
  static void awaitEnded(
      CompletableFuture<Void> ended, java.time.Duration timeout, OutputPipeline... pipelines)
      throws java.util.concurrent.TimeoutException,
          InterruptedException,
          java.util.concurrent.ExecutionException {
    long limit = timeout.toNanos();
    long deadline = System.nanoTime() + limit;
    long[] handled = new long[pipelines.length];
    for (int i = 0; i < pipelines.length; i++) {
      handled[i] = pipelines[i].handled();
    }
    while (true) {
      try {
        ended.get(
            Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException e) {
        long progress = Long.MIN_VALUE;
        for (int i = 0; i < pipelines.length; i++) {
          OutputPipeline p = pipelines[i];
          long h = p.handled();
          if (h != handled[i]) {
            handled[i] = h;
            progress = System.nanoTime();
          }
          if (p.log.full()) {
            progress = Math.max(progress, p.log.lastLosslessRead());
          }
        }
        if (progress == Long.MIN_VALUE || progress + limit - System.nanoTime() <= 0) {
          throw e;
        }
        deadline = progress + limit;
      }
    }
  }

  LineLog log() {
    return log;
  }

  /** Lines the line listener has handled (0 without one). */
  private long handled() {
    return onLine == null ? 0 : onLine.handled();
  }

  CompletableFuture<Void> ended() {
    return ended;
  }

  long bytes() {
    return bytes;
  }

  long lines() {
    return lines;
  }

  Optional<Long> lastOutputMillis() {
    long t = lastOutputMillis;
    return t == 0 ? Optional.empty() : Optional.of(t);
  }

  Optional<java.nio.file.Path> transcriptPath() {
    return Optional.ofNullable(transcript).map(Transcript::path);
  }
}
