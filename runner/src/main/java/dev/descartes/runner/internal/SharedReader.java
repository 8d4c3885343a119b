package dev.descartes.runner.internal;

import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.OutputLine;
import dev.descartes.runner.internal.io.LineLog;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The handle's own reader of one stream: one cursor shared by every caller, moved only under the
 * log's lock, so each line goes to exactly one caller. Thread-safe.
 */
final class SharedReader implements AgentOutput {

  private final OutputPipeline pipeline;
  private final LineLog.Cursor cursor;

  SharedReader(OutputPipeline pipeline) {
    this.pipeline = pipeline;
    this.cursor = pipeline.log().newCursor();
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
      LineLog.Read r = pipeline.log().poll(cursor, Duration.ofNanos(Math.max(0, left)));
      if (r instanceof LineLog.Read.Line l) {
        return Optional.of(toLine(l.entry()));
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
