package dev.descartes.runner;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One running (or finished) agent: its status, exit, stdio and signals.
 *
 * <p>Obtained from {@link AgentRunner#spawn}; stays valid after the agent exits, and after {@link
 * AgentRunner#remove}. Every method is thread-safe. A terminal status is final: it is set exactly
 * once, before {@link #waitFor()} returns and {@link #onExit()} completes, and at that moment
 * {@link #info()} and the runner's registry agree with it.
 */
public interface AgentHandle {

  /** {@return the agent's id, unique within this JVM} */
  AgentId id();

  /** {@return the configuration the agent was spawned with} */
  AgentConfig config();

  /** {@return a fresh snapshot of status, exit, health and metrics} */
  AgentInfo info();

  /** {@return the agent's status now} */
  AgentStatus status();

  /**
   * {@return the main process's id (also its process-group and session id on Linux); -1 before it
   * exists}
   */
  long pid();

  /**
   * Waits until the agent has exited, its output is drained and its status is final.
   *
   * @return how the main process ended
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  ExitStatus waitFor() throws InterruptedException;

  /**
   * Like {@link #waitFor()}, giving up after {@code timeout}.
   *
   * @param timeout the longest wait; zero or negative does not wait
   * @return how the main process ended; empty if the agent is still running then
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException;

  /**
   * {@return a future completed with the exit status once the status is final; never completes
   * exceptionally}
   */
  CompletableFuture<ExitStatus> onExit();

  /**
   * Writes to the agent's stdin. Blocks while the agent's stdin pipe is full.
   *
   * @param data the bytes, written whole
   * @throws AgentException.Communication once stdin is closed or the agent is gone
   */
  void writeStdin(byte[] data);

  /** Closes the agent's stdin, so that it reads end of file. Idempotent. */
  void closeStdin();

  /** {@return whether stdin can still be written} */
  boolean isStdinOpen();

  /**
   * The next stdout line, never blocking. Reads the handle's own {@link OutputDelivery#LATEST
   * latest-lines} reader ({@link #stdout()}); for every line, read {@link #stdout(OutputDelivery)
   * stdout(EVERY_LINE)} instead.
   *
   * @return the line as written, newline included; empty if none is waiting
   */
  default Optional<byte[]> readStdout() {
    return stdout().poll().map(OutputLine::bytes);
  }

  /**
   * The next stderr line, never blocking.
   *
   * @return the line as written, newline included; empty if none is waiting
   */
  default Optional<byte[]> readStderr() {
    return stderr().poll().map(OutputLine::bytes);
  }

  /**
   * The next stdout line, waiting up to {@code timeout}.
   *
   * @param timeout the longest wait
   * @return the line as written, newline included; empty on timeout or at end of stream
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  default Optional<byte[]> readStdout(Duration timeout) throws InterruptedException {
    return stdout().poll(timeout).map(OutputLine::bytes);
  }

  /**
   * The next stderr line, waiting up to {@code timeout}.
   *
   * @param timeout the longest wait
   * @return the line as written, newline included; empty on timeout or at end of stream
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  default Optional<byte[]> readStderr(Duration timeout) throws InterruptedException {
    return stderr().poll(timeout).map(OutputLine::bytes);
  }

  /**
   * {@return the handle's own stdout reader, with line numbers and what was missed: {@link
   * OutputDelivery#LATEST latest lines}, never holding the agent back}
   */
  AgentOutput stdout();

  /**
   * {@return the handle's own stderr reader: {@link OutputDelivery#LATEST latest lines}, like
   * {@link #stdout()}}
   */
  AgentOutput stderr();

  /**
   * A new reader of stdout, served as {@code delivery} says, starting at the oldest line still held
   * (opened in the {@code beforeOutput} callback of {@link LocalProcessRunner#spawn(AgentConfig,
   * Duration, Consumer)}, it starts at the very first line). An {@link OutputDelivery#EVERY_LINE}
   * reader misses nothing from there on and holds the agent back while it is behind: close it when
   * done. {@code LATEST} gives an independent reader like {@link #stdout()}.
   *
   * @param delivery how lines are served
   * @return the reader
   * @throws UnsupportedOperationException for {@code EVERY_LINE} on a handle that has no such
   *     readers
   */
  default AgentOutput stdout(OutputDelivery delivery) {
    if (delivery == OutputDelivery.LATEST) {
      return stdout();
    }
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " has no every-line readers");
  }

  /**
   * A new reader of stderr, served as {@code delivery} says; see {@link #stdout(OutputDelivery)}.
   *
   * @param delivery how lines are served
   * @return the reader
   * @throws UnsupportedOperationException for {@code EVERY_LINE} on a handle that has no such
   *     readers
   */
  default AgentOutput stderr(OutputDelivery delivery) {
    if (delivery == OutputDelivery.LATEST) {
      return stderr();
    }
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " has no every-line readers");
  }

  /**
   * The agent's events as a blocking iterable: {@link AgentEvent.Started}, the events of each
   * stdout line (one, or several {@link AgentEvent.Normalized} ones when the backend parses its
   * CLI's output), and {@link AgentEvent.Exited} last, after which iteration ends. Each iterator is
   * an independent reader starting at the oldest event still held; {@code hasNext()} blocks until
   * the next event exists. Each iterator is a {@link OutputDelivery#LATEST latest-lines} reader:
   * one that falls behind gets an {@link AgentEvent.Gap}, and the agent is never held back.
   *
   * @return an iterable whose every iterator is a new reader
   */
  Iterable<AgentEvent> events();

  /**
   * {@link #events()}, each iterator served as {@code delivery} says. An {@link
   * OutputDelivery#EVERY_LINE} iterator never gets a {@link AgentEvent.Gap} once it has started
   * (made in the {@code beforeOutput} callback of {@link LocalProcessRunner#spawn(AgentConfig,
   * Duration, Consumer)}, it starts at the very first line): while it is behind, the agent is held
   * back. It lets go once it has returned {@link AgentEvent.Exited}, or when closed (it is {@link
   * AutoCloseable}), or once it is unreachable: an iterator abandoned early should be closed.
   *
   * @param delivery how events are served
   * @return an iterable whose every iterator is a new reader
   * @throws UnsupportedOperationException for {@code EVERY_LINE} on a handle that has no such
   *     readers
   */
  default Iterable<AgentEvent> events(OutputDelivery delivery) {
    if (delivery == OutputDelivery.LATEST) {
      return events();
    }
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " has no every-line readers");
  }

  /**
   * Calls {@code listener} for every later event of this agent, on the thread that reads the
   * agent's output, in order: {@link OutputDelivery#EVERY_LINE every line}. A slow listener holds
   * this agent's output back (the agent blocks in {@code write}), never another agent's; whatever
   * the listener throws, {@code Error}s such as {@code AssertionError} included, is logged and does
   * not stop delivery.
   *
   * @param listener called once per event
   * @return closing it removes the listener
   */
  AutoCloseable onEvent(Consumer<? super AgentEvent> listener);

  /**
   * Calls {@code listener} for every later event, served as {@code delivery} says: {@code
   * EVERY_LINE} is {@link #onEvent(Consumer)}; {@link OutputDelivery#LATEST} calls it on a thread
   * of its own, never holds the agent back, and passes an {@link AgentEvent.Gap} for what a slow
   * listener missed.
   *
   * @param listener called once per event
   * @param delivery how events are served
   * @return closing it removes the listener
   * @throws UnsupportedOperationException for {@code LATEST} on a handle that has no such listeners
   */
  default AutoCloseable onEvent(Consumer<? super AgentEvent> listener, OutputDelivery delivery) {
    if (delivery == OutputDelivery.EVERY_LINE) {
      return onEvent(listener);
    }
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " has no latest-lines listeners");
  }

  /**
   * Sends {@code signal} to the agent's process group ({@link AgentSignal#KILL}, {@link
   * AgentSignal#PAUSE} and {@link AgentSignal#RESUME}: to its whole process tree). No effect once
   * the agent has exited.
   *
   * @param signal the signal
   * @throws AgentException.Execution if the platform has no such signal
   */
  void signal(AgentSignal signal);

  /** SIGKILL to every process of the agent's tree, including those in their own session. */
  void kill();

  /**
   * Declares that the agent is being stopped on purpose: its status reads {@link
   * AgentStatus#STOPPING} until it ends, and then {@link AgentStatus#TERMINATED} whatever its exit
   * code. {@link GracefulShutdown} calls it before its first step, and {@link #kill()} and the
   * stopping signals imply it. A handle that wraps another must pass it on, or the wrapped agent
   * ends as {@code FAILED} or {@code COMPLETED} after a stop. No effect once the agent has ended;
   * idempotent.
   */
  void requestStop();

  /**
   * The CLI's verdict on its work: success taken from the CLI's own final event, result text,
   * error, cost, tokens, turns and session id. Built from every stdout line as it is read, whether
   * or not anyone reads the events. See {@link AgentOutcome}.
   *
   * @return the outcome once the agent has ended; empty before
   */
  default Optional<AgentOutcome> outcome() {
    return Optional.empty();
  }

  /**
   * {@return the multi-turn session of an agent spawned with {@link AgentConfig#multiTurn()}; empty
   * for any other agent}
   */
  default Optional<AgentSession> session() {
    return Optional.empty();
  }

  /**
   * Stops the agent with its backend's stop sequence (claude: SIGINT first, which aborts the turn
   * and its tools cleanly; see {@link AgentBackend#stopSequence}), then SIGKILL to whatever is left
   * of its tree, and waits for the end. Returns at once if the agent has already ended.
   *
   * @param timeout the total time the sequence may wait before SIGKILL
   * @return how the main process ended
   */
  default ExitStatus stop(Duration timeout) {
    return new GracefulShutdown(timeout).shutdown(this);
  }
}
