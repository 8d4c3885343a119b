package dev.descartes.runner.internal;

import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.OutputLine;
import dev.descartes.runner.internal.io.LineLog;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A reader of one stream: one cursor shared by every caller, moved only under the log's lock, so
 * each line goes to exactly one caller. The handle's own readers deliver the latest lines; an
 * every-line reader holds the stream back until it is read to the end or closed (or becomes
 * unreachable). Thread-safe.
 */
final class SharedReader implements AgentOutput {

  private static final Cleaner CLEANER =
      Cleaner.create(Thread.ofPlatform().name("descartes-reader-cleaner").daemon(true).factory());

  private final OutputPipeline pipeline;
  private final LineLog.Cursor cursor;
  private final Cleaner.Cleanable release;

  SharedReader(OutputPipeline pipeline) {
    this(pipeline, OutputDelivery.LATEST);
  }

  SharedReader(OutputPipeline pipeline, OutputDelivery delivery) {
    this.pipeline = pipeline;
    this.cursor = pipeline.log().newCursor(delivery == OutputDelivery.EVERY_LINE);
    this.release =
        cursor.lossless() ? CLEANER.register(this, releaser(pipeline.log(), cursor)) : null;
  }

  /**
   * What lets an every-line cursor go; must not reach the reader, or the reader is never
   * unreachable.
   */
  static Runnable releaser(LineLog log, LineLog.Cursor cursor) {
    return () -> log.release(cursor);
  }

  /** Registers {@code owner} so that its every-line cursor is let go once it is unreachable. */
  static Cleaner.Cleanable releaseWhenUnreachable(
      Object owner, LineLog log, LineLog.Cursor cursor) {
    return CLEANER.register(owner, releaser(log, cursor));
  }

  @Override
  public OutputDelivery delivery() {
    return cursor.lossless() ? OutputDelivery.EVERY_LINE : OutputDelivery.LATEST;
  }

  @Override
  public void close() {
    if (release != null) {
      release.clean();
    }
  }

  @Override
  public Optional<OutputLine> poll() {
    while (true) {
      LineLog.Read r = pipeline.log().poll(cursor);
      if (r instanceof LineLog.Read.Line l) {
        return Optional.of(toLine(l.entry()));
      }
      if (!(r instanceof LineLog.Read.Gap)) {
        return Optional.empty();
      }
    }
  }

  @Override
  public Optional<OutputLine> poll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      long linesSeen = pipeline.lines();
      LineLog.Read r = pipeline.log().poll(cursor);
      if (r instanceof LineLog.Read.None
          && left > 0
          && !pipeline.readDirect(left, linesSeen)) { // no reading here: wait for delivery
        r = pipeline.log().poll(cursor, Duration.ofNanos(left));
      }
      if (r instanceof LineLog.Read.Line l) {
        return Optional.of(toLine(l.entry()));
      }
      if (r instanceof LineLog.Read.None && deadline - System.nanoTime() > 0) {
        continue; // read here without a whole line yet
      }
      if (!(r instanceof LineLog.Read.Gap)) {
        return Optional.empty();
      }
    }
  }

  static OutputLine toLine(LineLog.Entry e) {
    return new OutputLine(e.seq(), e.bytes(), e.complete(), Instant.ofEpochMilli(e.atMillis()));
  }

  @Override
  public boolean isFinished() {
    return pipeline.log().finished(cursor);
  }

  @Override
  public long missedLines() {
    return cursor.missedLines();
  }

  @Override
  public long missedBytes() {
    return cursor.missedBytes();
  }

  @Override
  public long totalLines() {
    return pipeline.lines();
  }

  @Override
  public long totalBytes() {
    return pipeline.bytes();
  }

  @Override
  public Optional<Path> transcript() {
    return pipeline.transcriptPath();
  }
}
