package dev.descartes.runner;

import java.time.Duration;

/**
 * A kind of agent CLI: how to start it for a config, and how to stop it.
 *
 * <p>The runner has {@code claude}, {@code opencode} and the generic rule ({@code <program>-cli}
 * runs {@code <program> "<task>"}) built in. More come from {@link
 * ProcessRunnerConfig.Builder#backend} and from {@link java.util.ServiceLoader} (declare {@code
 * provides dev.descartes.runner.AgentBackend with ...} or a {@code META-INF/services} entry); a
 * name registered later wins over a built-in one. Implementations must be thread-safe.
 */
public interface AgentBackend {

  /** The name matched against {@link AgentConfig#modelBackend()}. */
  String name();

  /**
   * The command line for {@code config}.
   *
   * @throws AgentException.InvalidConfig if the config lacks what this CLI needs (name the field)
   */
  LaunchSpec launch(AgentConfig config);

  /** The sequence that stops this CLI and its tools; by default SIGTERM, {@code timeout}, SIGKILL. */
  default GracefulShutdown stopSequence(Duration timeout) {
    return new GracefulShutdown(timeout);
  }
}
