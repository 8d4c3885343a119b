package dev.descartes.runner;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An agent leased from an {@link AgentPool}: ready to take a task at once. Closing it is {@link
 * AgentPool#release}. Thread-safe.
 */
public interface PooledAgent extends AutoCloseable {

  /** {@return the agent's handle: its events, output and status} */
  AgentHandle handle();

  /** {@return the multi-turn session of a claude or qwen agent; empty for a command agent} */
  Optional<AgentSession> session();

  /**
   * Gives the agent a task: a user message in its session, or, for a command agent, the text and a
   * newline on its stdin.
   *
   * @param task the task's text
   * @return the turn's result for a session; for a command agent, completes (with {@code null})
   *     once the line is written
   * @throws AgentException.Communication if the agent is gone or this lease was released
   */
  CompletableFuture<AgentEvent.Result> send(String task);

  /** Releases the agent to its pool (see {@link AgentPool#release}). Idempotent. */
  @Override
  void close();
}
