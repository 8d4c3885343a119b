package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHealth;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentMetrics;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.ProcessState;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.activity.ActivityTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one agent's {@link AgentInfo} reports that its other parts do not keep: when it started and
 * ended, its exit status, its latest health sample; and the assembly of the info from those and the
 * counters of its streams. Thread-safe: each fact is written once by the thread that learns it and
 * read from any.
 */
final class AgentFacts {

  private final AgentId id;
  private final AgentConfig config;
  private final ResourceLimits limits;
  private final OutputPipeline stdout;
  private final OutputPipeline stderr;
  private final AgentStdin stdin;
  private final ActivityTracker activity;
  private volatile Instant startedAt = Instant.now();
  private volatile long startNanos = System.nanoTime();
  private volatile ExitStatus exitStatus;
  private volatile Instant endedAt;
  private volatile long endNanos;
  private volatile HealthSample health;

  AgentFacts(
      AgentId id,
      AgentConfig config,
      ResourceLimits limits,
      OutputPipeline stdout,
      OutputPipeline stderr,
      AgentStdin stdin,
      ActivityTracker activity) {
    this.id = id;
    this.config = config;
    this.limits = limits;
    this.stdout = stdout;
    this.stderr = stderr;
    this.stdin = stdin;
    this.activity = activity;
  }

  /** The process has just started. */
  void started() {
    startedAt = Instant.now();
    startNanos = System.nanoTime();
  }

  /** The agent has just ended with {@code status}. */
  void ended(ExitStatus status) {
    exitStatus = status;
    endNanos = System.nanoTime();
    endedAt = Instant.now();
  }

  Instant startedAt() {
    return startedAt;
  }

  /** When the agent ended; null before. */
  Instant endedAt() {
    return endedAt;
  }

  /** The exit status; null before the agent ended. */
  ExitStatus exitStatus() {
    return exitStatus;
  }

  /** Called by the health monitor; a check that could not read the usage keeps the last one. */
  void recordHealth(HealthSample sample) {
    HealthSample previous = health;
    health =
        sample.usage().isPresent() || previous == null
            ? sample
            : new HealthSample(sample.state(), previous.usage(), sample.at());
  }

  /** The info for status {@code s} and main process {@code pid} (-1 before it exists). */
  AgentInfo info(AgentStatus s, long pid) {
    ExitStatus st = exitStatus;
    long end = s.isTerminal() ? endNanos : System.nanoTime();
    Optional<Instant> lastOut = latest(stdout.lastOutputMillis(), stderr.lastOutputMillis());
    HealthSample h = health;
    ProcessState state =
        s.isTerminal() ? ProcessState.EXITED : h == null ? ProcessState.UNKNOWN : h.state();
    AgentHealth agentHealth =
        new AgentHealth(state, lastOut, Optional.ofNullable(h).map(HealthSample::at));
    AgentMetrics metrics =
        new AgentMetrics(
            Duration.ofNanos(Math.max(0, end - startNanos)),
            stdin.lines(),
            stdout.lines(),
            stderr.lines(),
            stdout.bytes(),
            stderr.bytes(),
            Optional.ofNullable(h).flatMap(HealthSample::usage));
    return new AgentInfo(
        id,
        config.name(),
        config.modelBackend(),
        config.task(),
        s,
        pid,
        startedAt,
        Optional.ofNullable(st),
        Optional.ofNullable(endedAt),
        agentHealth,
        metrics,
        activity.activity(),
        limits);
  }

  private static Optional<Instant> latest(Optional<Long> a, Optional<Long> b) {
    long t = Math.max(a.orElse(0L), b.orElse(0L));
    return t == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t));
  }
}
