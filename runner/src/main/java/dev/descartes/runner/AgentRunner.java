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
   * @throws AgentException.LimitReached if no slot freed up in time
   */
  AgentHandle spawn(AgentConfig config, Duration waitForSlot) throws InterruptedException;

  /** Every agent not yet removed, whatever its status, in spawn order. */
  List<AgentInfo> listAgents();

  Optional<AgentInfo> getAgent(AgentId id);

  Optional<AgentHandle> getHandle(AgentId id);

  /**
   * Sends a signal to an agent; see {@link AgentHandle#signal}.
   *
   * @throws AgentException.NotFound for an unknown id
   */
  void signal(AgentId id, AgentSignal signal);

  /**
   * SIGKILL to the agent's whole process tree.
   *
   * @throws AgentException.NotFound for an unknown id
   */
  void kill(AgentId id);

  /**
   * Forgets a finished agent.
   *
   * @return true if it was removed, false if no agent has that id
   * @throws AgentException.Execution if the agent is still alive (stop it first)
   */
  boolean remove(AgentId id);

  /**
   * Stops every live agent in parallel with each one's graceful-shutdown sequence (by default
   * SIGTERM, {@code timeout}, SIGKILL to the tree), and returns once all have ended.
   */
  void shutdown(Duration timeout);

  /** {@link #shutdown(Duration)} with the configured timeout, then frees threads. Idempotent. */
  @Override
  void close();
}
