package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentSignal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one {@code descartes run} runs: one or more named agents, how many may run at once, and how
 * to stop them. Built from the command line ({@link RunCommand}) or a fleet file ({@link FleetFile}).
 *
 * @param source where it came from, for messages: the fleet file's path, or empty for a single agent
 * @param agents the agents, in start order; names are unique
 * @param maxConcurrency the most agents alive at once; empty for no cap
 * @param stop how and when agents are stopped
 */
record Fleet(Optional<String> source, List<AgentConfig> agents, OptionalInt maxConcurrency, StopPolicy stop) {

  Fleet {
    agents = List.copyOf(agents);
  }

  /** Whether this is a run of one agent from the command line, with no fleet file. */
  boolean single() {
    return source.isEmpty();
  }

  /**
   * How agents are stopped, on Ctrl+C or when one fails and {@code failFast} is set.
   *
   * @param timeout how long agents get to exit after the polite signal, before SIGKILL
   * @param signal the polite signal; empty for each backend's own sequence (claude: SIGINT, then
   *     SIGTERM; others: SIGTERM)
   * @param failFast stop every other agent as soon as one fails
   */
  record StopPolicy(Duration timeout, Optional<AgentSignal> signal, boolean failFast) {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    static StopPolicy defaults() {
      return new StopPolicy(DEFAULT_TIMEOUT, Optional.empty(), false);
    }
  }
}
