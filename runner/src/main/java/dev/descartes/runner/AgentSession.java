package dev.descartes.runner;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A multi-turn conversation with an agent started with {@link
 * AgentConfig.Builder#multiTurn(boolean)} (claude and qwen, over {@code --input-format
 * stream-json}): send a message, get its events and result, send the next, interrupt a turn without
 * ending the session, end the session.
 *
 * <p>Obtained from {@link AgentHandle#session()}. Turns are answered in order: the n-th result the
 * CLI reports completes the future of the n-th message (the config's task, when not empty, is the
 * first). The events of every turn arrive through the handle's {@link AgentHandle#events()} and
 * {@link AgentHandle#onEvent}. Thread-safe: messages sent from several threads are queued in the
 * order their writes reach the agent.
 */
public interface AgentSession {

  /** {@return the agent this session talks to} */
  AgentHandle handle();

  /** {@return the CLI's session id, once it has reported it} */
  Optional<String> sessionId();

  /**
   * Sends one user message.
   *
   * @param message the message's text
   * @return completes with the {@link AgentEvent.Result} of this message's turn, or exceptionally
   *     with {@link AgentException.Communication} if the agent ends first
   * @throws AgentException.Communication if the session has ended or the agent is gone
   */
  CompletableFuture<AgentEvent.Result> send(String message);

  /**
   * {@return the result of the turn in progress (the last message sent), or of the last turn}
   *
   * @throws IllegalStateException if no message has been sent
   */
  CompletableFuture<AgentEvent.Result> currentTurn();

  /**
   * Cancels the turn in progress and keeps the session: the CLI stops its tools and reports the
   * turn's {@link AgentEvent.Result} as failed with {@link AgentOutcome.ErrorKind#INTERRUPTED}; the
   * next {@link #send} starts a new turn. No effect when no turn is running.
   *
   * @throws AgentException.Execution if this CLI cannot interrupt a turn (stop the agent instead)
   */
  void interrupt();

  /**
   * Ends the session: closes the agent's stdin, so the CLI finishes the current turn and exits.
   * Idempotent. Use {@link AgentHandle#stop(java.time.Duration)} to end it at once.
   */
  void end();
}
