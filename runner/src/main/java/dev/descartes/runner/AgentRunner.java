package dev.descartes.runner;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Spawns agents and keeps a registry of them. Implementations are thread-safe.
 *
 * <p>Closing a runner stops every agent it still has (see {@link #shutdown(Duration)}) and frees
 * its threads.
 */
public interface AgentRunner extends AutoCloseable {

  /**
   * Starts an agent; returns once its process has started.
   *
   * @param config what to run
   * @return the agent's handle
   * @throws AgentException.InvalidConfig if the config is unusable (the exception names the field)
   * @throws AgentException.SpawnFailed if the program cannot be started
   * @throws AgentException.LimitReached if {@link ProcessRunnerConfig#maxConcurrentAgents()} agents
   *     are alive
   */
  AgentHandle spawn(AgentConfig config);

  /**
   * Like {@link #spawn(AgentConfig)}, but waits up to {@code waitForSlot} for a free slot when the
   * concurrency cap is reached.
   *
   * @param config what to run
   * @param waitForSlot the longest wait for a slot
   * @return the agent's handle
   * @throws AgentException.LimitReached if no slot freed up in time
   * @throws InterruptedException if interrupted while waiting for a slot
   */
  AgentHandle spawn(AgentConfig config, Duration waitForSlot) throws InterruptedException;

  /** {@return every agent not yet removed, whatever its status, in spawn order} */
  List<AgentInfo> listAgents();

  /**
   * A snapshot of one agent.
   *
   * @param id the agent's id
   * @return its info; empty if no agent has that id
   */
  Optional<AgentInfo> getAgent(AgentId id);

  /**
   * The handle of one agent.
   *
   * @param id the agent's id
   * @return its handle; empty if no agent has that id
   */
  Optional<AgentHandle> getHandle(AgentId id);

  /**
   * Sends a signal to an agent; see {@link AgentHandle#signal}.
   *
   * @param id the agent's id
   * @param signal the signal
   * @throws AgentException.NotFound for an unknown id
   */
  void signal(AgentId id, AgentSignal signal);

  /**
   * SIGKILL to the agent's whole process tree.
   *
   * @param id the agent's id
   * @throws AgentException.NotFound for an unknown id
   */
  void kill(AgentId id);

  /**
   * Forgets a finished agent.
   *
   * @param id the agent's id
   * @return true if it was removed, false if no agent has that id
   * @throws AgentException.Execution if the agent is still alive (stop it first)
   */
  boolean remove(AgentId id);

  /**
   * Stops every live agent in parallel with each one's graceful-shutdown sequence (by default
   * SIGTERM, {@code timeout}, SIGKILL to the tree), and returns once all have ended.
   *
   * @param timeout the time each sequence may wait before SIGKILL
   */
  void shutdown(Duration timeout);

  /** {@link #shutdown(Duration)} with the configured timeout, then frees threads. Idempotent. */
  @Override
  void close();
}
