package dev.descartes.runner.internal;

import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.cgroup.AgentCgroup;
import dev.descartes.runner.internal.cgroup.CgroupStats;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's limits in force and the first one it passed: a limit the runner watches (runtime,
 * output, budget) stops the agent with its stop sequence; one the kernel enforces (memory, process
 * count) is read from the cgroup after the exit. The first limit passed, with its message, decides
 * the outcome. Thread-safe.
 */
final class AgentLimits {

  private static final Logger LOG = LoggerFactory.getLogger(AgentLimits.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final AgentId id;
  private final String name;
  private final ResourceLimits limits;
  private final Executor background;
  private final AtomicReference<ErrorKind> hit = new AtomicReference<>();
  private volatile String message;

  AgentLimits(AgentId id, String name, ResourceLimits limits, Executor background) {
    this.id = id;
    this.name = name;
    this.limits = limits;
    this.background = background;
  }

  /** The limits in force: the agent's own, each unset one from the runner's. */
  ResourceLimits limits() {
    return limits;
  }

  /** The first limit passed, or null. */
  ErrorKind hit() {
    return hit.get();
  }

  /** What the first limit passed was, or null. */
  String message() {
    return message;
  }

  /**
   * A limit the runner enforces is passed: the first one calls {@code stop} with a stop timeout on
   * the background executor; later ones are ignored.
   */
  void reached(ErrorKind kind, String why, java.util.function.Consumer<Duration> stop) {
    if (!hit.compareAndSet(null, kind)) {
      return;
    }
    message = why;
    try (var _ = AgentMdc.of(id, name)) {
      LOG.info("agent {} ({}): {}; stopping it", id, name, why);
    }
    background.execute(
        () -> {
          try (var _ = AgentMdc.of(id, name)) {
            try {
              stop.accept(STOP_TIMEOUT);
            } catch (Throwable e) {
              LOG.warn("agent {} ({}): stop after {} failed: {}", id, name, kind, e.toString());
            }
          }
        });
  }

  /** After exit: whether the kernel enforced a limit (an OOM kill, a refused fork) on the way. */
  void noteKernelLimits(AgentCgroup g) {
    if (limits.memoryBytes().isEmpty() && limits.maxProcesses().isEmpty()) {
      return;
    }
    CgroupStats s = g.stats();
    if (s.oomKills() > 0
        && limits.memoryBytes().isPresent()
        && hit.compareAndSet(null, ErrorKind.MEMORY_LIMIT)) {
      message =
          "memory limit of "
              + ResourceLimits.formatSize(limits.memoryBytes().getAsLong())
              + " reached: the kernel killed "
              + s.oomKills()
              + (s.oomKills() == 1 ? " process" : " processes")
              + s.memoryPeakBytes().stream()
                  .mapToObj(p -> " (peak " + ResourceLimits.formatSize(p) + ")")
                  .findFirst()
                  .orElse("");
    } else if (s.pidsRefused() > 0
        && limits.maxProcesses().isPresent()
        && hit.compareAndSet(null, ErrorKind.PIDS_LIMIT)) {
      message =
          "process limit of "
              + limits.maxProcesses().getAsInt()
              + " reached: "
              + s.pidsRefused()
              + " forks refused";
    }
  }
}
