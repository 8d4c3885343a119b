package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.internal.engine.ChildProcess;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's stdin: the backend's initial input (written in the background, then the pipe closed
 * if the backend says so), later writes, and the count of lines written. Thread-safe.
 */
final class AgentStdin {

  private static final Logger LOG = LoggerFactory.getLogger(AgentStdin.class);

  private final AgentId id;
  private final String name;
  private final AtomicLong lines = new AtomicLong();
  private final CompletableFuture<Void> initialInputWritten = new CompletableFuture<>();
  private volatile ChildProcess child;

  AgentStdin(AgentId id, String name) {
    this.id = id;
    this.name = name;
  }

  /**
   * The process exists: writes {@code spec}'s initial input on {@code background} and closes stdin
   * afterwards if {@code spec} asks for it.
   */
  void attach(ChildProcess c, LaunchSpec spec, Executor background) {
    child = c;
    byte[] input = spec.initialInput();
    boolean closeAfter = spec.stdin() == LaunchSpec.Stdin.CLOSE_AFTER_INPUT;
    if (input.length == 0 && !closeAfter) {
      initialInputWritten.complete(null);
      return;
    }
    background.execute(
        () -> {
          try {
            if (input.length > 0) {
              c.writeStdin(input);
              lines.addAndGet(countLines(input));
            }
          } catch (IOException e) {
            try (var _ = AgentMdc.of(id, name)) {
              LOG.debug("agent {}: initial input not fully written: {}", id, e.toString());
            }
          } finally {
            if (closeAfter) {
              c.closeStdin();
            }
            initialInputWritten.complete(null);
          }
        });
  }

  /**
   * Writes {@code data} to the running process.
   *
   * @throws AgentException.Communication if stdin is closed
   */
  void write(byte[] data) {
    try {
      child.writeStdin(data);
      lines.addAndGet(countLines(data));
    } catch (IOException e) {
      throw new AgentException.Communication(
          "cannot write to the stdin of agent "
              + id
              + " ("
              + name
              + "): "
              + (e.getMessage() == null ? e.toString() : e.getMessage())
              + "; it was closed (closeStdin(), or the backend closes it for one-shot CLIs) or the agent "
              + "exited",
          e);
    }
  }

  void close() {
    ChildProcess c = child;
    if (c != null) {
      c.closeStdin();
    }
  }

  boolean isOpen() {
    ChildProcess c = child;
    return c != null && c.isStdinOpen();
  }

  /** Lines written so far, the initial input's included. */
  long lines() {
    return lines.get();
  }

  /** Completes once the backend's initial input is written (at once when there is none). */
  CompletableFuture<Void> initialInputWritten() {
    return initialInputWritten;
  }

  private static long countLines(byte[] data) {
    long n = 0;
    for (byte b : data) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }
}
