package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.RestartPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What one {@code descartes run} runs: one or more named agents, how many may run at once, and how
 * to stop them. Built from the command line ({@link RunCommand}) or a fleet file ({@link
 * FleetFile}).
 *
 * @param source where it came from, for messages: the fleet file's path, or empty for a single
 *     agent
 * @param agents the agents, in start order; names are unique
 * @param maxConcurrency the most agents alive at once; empty for no cap
 * @param stop how and when agents are stopped
 * @param origins where each agent's settings came from, in the order of {@code agents}
 * @param kubernetes where the agents run on Kubernetes; empty: on this machine
 * @param name the fleet's name (its file's, without the extension; the agent's for a single one),
 *     part of each worktree branch's name
 * @param budget what all agents may spend together, in US dollars
 * @param restarts each agent's restart policy, in the order of {@code agents}
 */
record Fleet(
    Optional<String> source,
    List<AgentConfig> agents,
    OptionalInt maxConcurrency,
    StopPolicy stop,
    List<Origin> origins,
    Optional<FleetKubernetes.Settings> kubernetes,
    String name,
    OptionalDouble budget,
    List<RestartPolicy> restarts) {

  /** A fleet that runs on this machine, without a budget or restarts. */
  Fleet(
      Optional<String> source,
      List<AgentConfig> agents,
      OptionalInt maxConcurrency,
      StopPolicy stop,
      List<Origin> origins) {
    this(
        source,
        agents,
        maxConcurrency,
        stop,
        origins,
        Optional.empty(),
        "fleet",
        OptionalDouble.empty(),
        agents.stream().map(a -> RestartPolicy.NEVER).toList());
  }

  Fleet {
    agents = List.copyOf(agents);
    origins = List.copyOf(origins);
    restarts = List.copyOf(restarts);
    if (origins.size() != agents.size() || restarts.size() != agents.size()) {
      throw new IllegalArgumentException("one origin and one restart policy per agent");
    }
  }

  /** This fleet with agents and limits changed by the command line. */
  Fleet with(
      List<AgentConfig> agents,
      OptionalInt maxConcurrency,
      StopPolicy stop,
      OptionalDouble budget) {
    return new Fleet(
        source, agents, maxConcurrency, stop, origins, kubernetes, name, budget, restarts);
  }

  /** Whether this is a run of one agent from the command line, with no fleet file. */
  boolean single() {
    return source.isEmpty();
  }

  /**
   * Where an agent's settings came from, so that a problem found later (a missing CLI, a task too
   * long for one argument) names the place the user must change.
   *
   * @param kind {@link Problem.Kind#USAGE} for flags, {@link Problem.Kind#DATA} for a fleet file
   * @param whole the place of the agent as a whole: {@code fleet.yaml:12:3}, or empty for flags
   * @param fields the place of each field that was given: {@code fleet.yaml:13:14}, or its flag
   */
  record Origin(Problem.Kind kind, String whole, Map<String, String> fields) {

    Origin {
      fields = Map.copyOf(fields);
    }

    /** The place of {@code field}, or of the agent when the field was not given. */
    String at(String field) {
      return fields.getOrDefault(field, whole);
    }
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
