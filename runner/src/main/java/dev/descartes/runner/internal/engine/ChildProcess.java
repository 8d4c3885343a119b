package dev.descartes.runner.internal.engine;

import dev.descartes.runner.ExitStatus;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** A started child process, as an engine sees it. Thread-safe. */
public interface ChildProcess {

  long pid();

  /**
   * Starts delivering output to the sinks; called once, after the runner has registered the agent.
   */
  void startOutput();

  /**
   * Completes when the process has exited and been reaped. An engine that only sees {@code 128+n}
   * for death by signal {@code n} reports it as an exit code. It may complete on the engine's own
   * thread (the native engine's event loop): what depends on it must hand any real work to a thread
   * of its own.
   */
  CompletableFuture<ExitStatus> onExit();

  /** Whether the engine can tell a death by signal from an exit code of 128+n. */
  boolean reportsSignalsExactly();

  /** Writes all of {@code data}, blocking while the pipe is full. */
  void writeStdin(byte[] data) throws IOException;

  /** Whether {@link #closeStdin()} has not been called. */
  boolean isStdinOpen();

  /** Closes the write end of the child's stdin. Idempotent. */
  void closeStdin();

  /**
   * Sends SIGKILL to this process (not to its descendants) at once, without waiting; nothing once
   * it has been reaped, so the signal never reaches a process that took over its pid.
   */
  void killNow();

  /**
   * Stops reading output that is still open after the process exited (a descendant that escaped the
   * kill holds the pipe); the sinks then see {@link OutputSink#end()}.
   */
  void abandonOutput();
}
