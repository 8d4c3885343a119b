package dev.descartes.runner;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one agent: identity, status, exit, health and metrics. Never contains environment
 * values. Immutable and thread-safe.
 *
 * @param id the agent's id
 * @param name the configured name
 * @param modelBackend the configured backend
 * @param task the configured task
 * @param status the status when the snapshot was taken
 * @param pid the main process's id
 * @param startedAt when the process started
 * @param exitStatus how the process ended, once it has
 * @param endedAt when the runner saw it end
 * @param health what the last health check found
 * @param metrics uptime, traffic and resource figures: the use of each limit in {@code limits}
 *     ({@link ResourceUsage#residentBytes()} against {@link ResourceLimits#memoryBytes()}, and so
 *     on)
 * @param activity what the agent is doing: busy, idle between turns, waiting for input
 * @param limits the resource limits in force for this agent (its own, and the runner's defaults)
 */
public record AgentInfo(
    AgentId id,
    String name,
    String modelBackend,
    String task,
    AgentStatus status,
    long pid,
    Instant startedAt,
    Optional<ExitStatus> exitStatus,
    Optional<Instant> endedAt,
    AgentHealth health,
    AgentMetrics metrics,
    AgentActivity activity,
    ResourceLimits limits) {

  /**
   * Checks the required components and fills the optional ones: the activity from the status, the
   * limits with none.
   *
   * @throws NullPointerException if a required component is null
   */
  public AgentInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(exitStatus, "exitStatus");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(metrics, "metrics");
    activity =
        Objects.requireNonNullElse(
            activity, status.isLive() ? AgentActivity.BUSY : AgentActivity.ENDED);
    limits = Objects.requireNonNullElse(limits, ResourceLimits.none());
  }
}
