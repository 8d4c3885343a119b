package dev.descartes.runner;

import dev.descartes.runner.internal.pool.LocalAgentPool;
import java.time.Duration;

/**
 * Agents of one configuration started ahead of need, so that a task starts on a process that has
 * already loaded (a warm claude stream-json session answers in milliseconds where a cold {@code
 * claude -p} takes about a second). The pool keeps {@link PoolConfig#minWarm()} agents ready, never
 * has more than {@link PoolConfig#maxAgents()}, stops spare agents idle longer than {@link
 * PoolConfig#idleTimeout()}, and checks idle agents every {@link PoolConfig#healthCheckInterval()}.
 *
 * <p>An agent is ready once its process runs and, for claude and qwen, once the CLI has answered
 * its stream-json {@code initialize} request (and the warm-up task, if the config has one). {@link
 * #lease()} hands out a ready agent, never one that died or failed its health check while idle
 * (that one is replaced); {@link #release} ends the agent, or with {@link PoolConfig#reuse()}
 * returns it to the pool when it is alive and between turns, and a fresh agent takes its place in
 * the background. Closing the pool stops every agent it started, leased or not. Thread-safe.
 *
 * <pre>{@code
 * try (AgentPool pool = AgentPool.create(runner, PoolConfig.builder(AgentConfig.builder()
 *         .modelBackend("claude").multiTurn(true).build()).minWarm(2).maxAgents(8).build());
 *      PooledAgent agent = pool.lease()) {
 *   AgentEvent.Result r = agent.send("Summarize README.md").get();
 * }
 * }</pre>
 */
public interface AgentPool extends AutoCloseable {

  /**
   * Starts a pool on {@code runner}; its first {@code minWarm} agents start in the background.
   *
   * @param runner where the pool's agents are spawned; the pool does not close it
   * @param config the pool's configuration
   * @return the pool
   */
  static AgentPool create(AgentRunner runner, PoolConfig config) {
    return new LocalAgentPool(runner, config);
  }

  /** {@return this pool's configuration} */
  PoolConfig config();

  /**
   * A ready agent, waiting up to {@link PoolConfig#leaseTimeout()} for one.
   *
   * @return the leased agent; close it (or {@link #release} it) when done
   * @throws AgentException.LimitReached if none became ready in time ({@code maxAgents} are leased,
   *     or new agents did not become ready)
   * @throws AgentException.Execution if the pool is closed
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  PooledAgent lease() throws InterruptedException;

  /**
   * Like {@link #lease()}, waiting up to {@code timeout}.
   *
   * @param timeout the longest wait
   * @return the leased agent
   * @throws AgentException.LimitReached if none became ready in time
   * @throws AgentException.Execution if the pool is closed
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  PooledAgent lease(Duration timeout) throws InterruptedException;

  /**
   * Gives a leased agent back: it is ended (or, with {@link PoolConfig#reuse()}, kept for the next
   * lease if alive and between turns). Idempotent; the agent's handle stays readable.
   *
   * @param agent an agent leased from this pool
   */
  void release(PooledAgent agent);

  /** {@return what the pool holds now} */
  Stats stats();

  /** Stops every agent of the pool and waits for them to end. Idempotent. */
  @Override
  void close();

  /**
   * Counts of a pool's agents, and what happened so far.
   *
   * @param ready agents waiting for a lease
   * @param starting agents starting, not yet ready
   * @param leased agents leased now
   * @param started agents started since the pool was created
   * @param replaced idle agents found dead or unhealthy and replaced
   * @param leases leases handed out
   */
  record Stats(int ready, int starting, int leased, long started, long replaced, long leases) {}
}
