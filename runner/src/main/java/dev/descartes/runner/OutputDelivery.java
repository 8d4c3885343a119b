package dev.descartes.runner;

/**
 * How one consumer of an agent's output is served when it falls behind the agent.
 *
 * <p>Each consumer chooses for itself: an {@link #EVERY_LINE} consumer holds back only the agent it
 * reads, and only while it is behind; a {@link #LATEST} consumer never holds anything back and is
 * told what it missed. Other agents, and other consumers of the same agent, are never affected by
 * either choice. Memory stays bounded in both: see {@link
 * ProcessRunnerConfig#outputMemoryBudget()}. Immutable and thread-safe.
 */
public enum OutputDelivery {

  /**
   * Every line, in order, nothing dropped. While this consumer has more than a bounded backlog (at
   * most 1 MiB per stream, less under the runner's memory budget) unread, the runner stops reading
   * that agent's pipe, so the agent blocks in {@code write} until the consumer catches up. Such a
   * consumer must be read to the end or closed: one that is abandoned while the agent still writes
   * holds the agent back (an unreachable one is let go when the garbage collector finds it). It
   * starts at the oldest line still held when it is opened; one opened in the {@code beforeOutput}
   * callback of {@link LocalProcessRunner#spawn(AgentConfig, java.time.Duration,
   * java.util.function.Consumer)} starts at the very first line.
   */
  EVERY_LINE,

  /**
   * The newest lines: a bounded window per stream ({@link ProcessRunnerConfig#outputWindowBytes()},
   * shared under the runner's memory budget, with the first {@link
   * ProcessRunnerConfig#pinnedHeadBytes()} of stdout kept for good). A consumer that falls behind
   * skips to the oldest line still held and is told how many lines and bytes it missed ({@link
   * AgentEvent.Gap}, {@link AgentOutput#missedLines()}). The agent is never held back.
   */
  LATEST
}
