package dev.descartes.runner;

import java.time.Duration;
import java.util.Optional;

/**
 * Observes a runner's agents for metrics, tracing or logging, without a daemon: each spawn (with
 * its latency), each failed spawn (and whether a limit refused it), and each end (with the CLI's
 * outcome: cost, tokens, turns). In the spirit of OkHttp's {@code EventListener}: every method has
 * an empty default, so an implementation overrides only what it needs, and {@link #NONE} is the
 * default. Set it with {@link ProcessRunnerConfig.Builder#listener(RunnerListener)}; for each
 * agent's output, use {@link AgentHandle#onEvent} or {@link LocalProcessRunner#onEvent}.
 *
 * <p>Called on the runner's threads: the spawning thread for {@link #spawnStarted}, {@link
 * #spawned} and {@link #spawnFailed}, the thread that records the exit for {@link #exited}.
 * Implementations must be thread-safe and quick. An exception thrown by a listener is logged and
 * otherwise ignored.
 */
public interface RunnerListener {

  /** The listener that does nothing. */
  RunnerListener NONE = new RunnerListener() {};

  /**
   * An agent is about to be spawned.
   *
   * @param config what is spawned
   */
  default void spawnStarted(AgentConfig config) {}

  /**
   * An agent was spawned.
   *
   * @param agent its handle
   * @param latency the time {@code spawn} took
   */
  default void spawned(AgentHandle agent, Duration latency) {}

  /**
   * A spawn failed.
   *
   * @param config what was to be spawned
   * @param error why ({@link AgentException.LimitReached} when a limit refused it)
   */
  default void spawnFailed(AgentConfig config, AgentException error) {}

  /**
   * An agent ended.
   *
   * @param agent its info; {@link AgentInfo#status()} is final
   * @param outcome the CLI's verdict (see {@link AgentHandle#outcome()})
   */
  default void exited(AgentInfo agent, Optional<AgentOutcome> outcome) {}
}
