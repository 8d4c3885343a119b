package dev.descartes.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Counters of one agent: uptime and traffic are live; CPU and memory come from the last health
 * check. Immutable and thread-safe.
 *
 * @param uptime time since spawn, frozen at exit
 * @param stdinLines lines written to the agent's stdin (messages sent)
 * @param stdoutLines lines the agent wrote to stdout (messages received)
 * @param stderrLines lines the agent wrote to stderr
 * @param stdoutBytes bytes the agent wrote to stdout
 * @param stderrBytes bytes the agent wrote to stderr
 * @param resources CPU time, resident memory and process count of the agent's tree, once sampled
 */
public record AgentMetrics(
    Duration uptime,
    long stdinLines,
    long stdoutLines,
    long stderrLines,
    long stdoutBytes,
    long stderrBytes,
    Optional<ResourceUsage> resources) {

  /** Checks that no component is null. */
  public AgentMetrics {
    Objects.requireNonNull(uptime, "uptime");
    Objects.requireNonNull(resources, "resources");
  }

  /** {@return the messages sent to the agent: another name for {@link #stdinLines()}} */
  public long messagesSent() {
    return stdinLines;
  }

  /** {@return the messages received from the agent: another name for {@link #stdoutLines()}} */
  public long messagesReceived() {
    return stdoutLines;
  }
}
