package dev.descartes.runner;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of agent CLI: how to start it for a config, how to read its events, how to talk to it in a
 * session, and how to stop it.
 *
 * <p>The runner has {@code claude}, {@code opencode}, {@code codex}, {@code gemini}, {@code qwen}
 * and the generic rule ({@code <program>-cli} runs {@code <program> "<task>"}) built in; {@link
 * TemplateBackend} makes one from an argv template and an event format. More come from {@link
 * ProcessRunnerConfig.Builder#backend} and from {@link java.util.ServiceLoader} (declare {@code
 * provides dev.descartes.runner.AgentBackend with ...} or a {@code META-INF/services} entry); a
 * name registered later wins over a built-in one. Implementations must be thread-safe.
 */
public interface AgentBackend {

  /** {@return the name matched against {@link AgentConfig#modelBackend()}} */
  String name();

  /**
   * The command line for {@code config}.
   *
   * @param config the agent to run
   * @return how to start its CLI
   * @throws AgentException.InvalidConfig if the config lacks what this CLI needs (name the field)
   */
  LaunchSpec launch(AgentConfig config);

  /**
   * The sequence that stops this CLI and its tools; by default SIGTERM, {@code timeout}, SIGKILL.
   * If it throws or returns null, the runner logs a warning and stops the agent with the default.
   *
   * @param timeout the time the sequence may wait before SIGKILL
   * @return the stop sequence
   */
  default GracefulShutdown stopSequence(Duration timeout) {
    return new GracefulShutdown(timeout);
  }

  /**
   * A new parser of this CLI's JSON lines into normalized events; by default none (every JSON line
   * stays an {@link AgentEvent.Json}, and the outcome follows the exit code). Called once per agent
   * and once per events reader.
   *
   * @return a new parser, used by one thread at a time
   */
  default AgentEventParser newEventParser() {
    return AgentEventParser.none();
  }

  /**
   * {@return how to talk to this CLI in a multi-turn session ({@link AgentConfig#multiTurn()});
   * empty if it has none, and such a config is then refused at spawn}
   */
  default Optional<SessionProtocol> sessionProtocol() {
    return Optional.empty();
  }

  /**
   * Names of the runner's environment variables this CLI needs (a trailing {@code *} matches a
   * prefix), such as {@code ANTHROPIC_*}. With {@link ProcessRunnerConfig#environmentAllowList()}
   * set, these pass too, and nothing else of the runner's environment does; without an allow-list
   * the agent inherits everything anyway.
   *
   * @return the names; empty by default
   */
  default Set<String> environmentAllowList() {
    return Set.of();
  }
}
