package dev.descartes.kubernetes;

import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.OutputLine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One output stream of a Pod agent: every line in order, kept for the agent's life, and readers
 * with their own position. Thread-safe (one monitor).
 */
final class Lines {

  private final List<OutputLine> lines = new ArrayList<>();
  private long bytes;
  private boolean ended;

  synchronized void add(byte[] line) {
    lines.add(new OutputLine(lines.size() + 1, line, true, Instant.now()));
    bytes += line.length;
    notifyAll();
  }

  synchronized void end() {
    ended = true;
    notifyAll();
  }

  synchronized long count() {
    return lines.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized Optional<Instant> lastAt() {
    return lines.isEmpty() ? Optional.empty() : Optional.of(lines.getLast().at());
  }

  /** The line at {@code index}, waiting up to {@code nanos}; empty on timeout or at the end. */
  synchronized Optional<OutputLine> get(int index, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (index >= lines.size() && !ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return index < lines.size() ? Optional.of(lines.get(index)) : Optional.empty();
  }

  synchronized boolean finishedAt(int index) {
    return ended && index >= lines.size();
  }

  /** A reader from the first line. */
  AgentOutput reader() {
    return new Reader();
  }

  private final class Reader implements AgentOutput {
    private int next;

    @Override
    public synchronized Optional<OutputLine> poll() {
      try {
        return take(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    @Override
    public synchronized Optional<OutputLine> poll(Duration timeout) throws InterruptedException {
      return take(Math.max(0, timeout.toNanos()));
    }

    private Optional<OutputLine> take(long nanos) throws InterruptedException {
      Optional<OutputLine> l = get(next, nanos);
      l.ifPresent(x -> next++);
      return l;
    }

    @Override
    public synchronized boolean isFinished() {
      return finishedAt(next);
    }

    @Override
    public long missedLines() {
      return 0;
    }

    @Override
    public long missedBytes() {
      return 0;
    }

    @Override
    public long totalLines() {
      return count();
    }

    @Override
    public long totalBytes() {
      return bytes();
    }

    @Override
    public Optional<Path> transcript() {
      return Optional.empty();
    }
  }
}
