package dev.descartes.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the last health check found. Health checks run on one scheduler for every agent of a runner,
 * every {@link ProcessRunnerConfig#healthCheckInterval()}. Immutable and thread-safe.
 *
 * @param state the main process's state at the last check
 * @param lastOutputAt when the agent last wrote to stdout or stderr
 * @param checkedAt when the last check ran; empty before the first
 */
public record AgentHealth(
    ProcessState state, Optional<Instant> lastOutputAt, Optional<Instant> checkedAt) {

  /** Checks that no component is null. */
  public AgentHealth {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastOutputAt, "lastOutputAt");
    Objects.requireNonNull(checkedAt, "checkedAt");
  }

  /** {@return whether the last check found the process alive and neither stopped nor a zombie} */
  public boolean healthy() {
    return state == ProcessState.RUNNING
        || state == ProcessState.SLEEPING
        || state == ProcessState.DISK_WAIT;
  }

  /**
   * How long the agent has been quiet.
   *
   * @param startedAt when the agent started
   * @param now the present
   * @return the time since the agent last wrote output, or since {@code startedAt} if it never did
   */
  public Duration sinceLastOutput(Instant startedAt, Instant now) {
    Duration d = Duration.between(lastOutputAt.orElse(startedAt), now);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
