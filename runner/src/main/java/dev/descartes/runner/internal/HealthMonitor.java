package dev.descartes.runner.internal;

import dev.descartes.runner.ProcessState;
import dev.descartes.runner.ResourceUsage;
import dev.descartes.runner.internal.cgroup.CgroupStats;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcSnapshot;
import dev.descartes.runner.internal.os.ProcSnapshots;
import dev.descartes.runner.internal.os.ProcStat;
import dev.descartes.runner.internal.os.ProcessTree;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks with one thread for every agent of a runner: each tick reads {@code /proc} once
 * (when an agent without cgroups needs it; the others are read from their cgroup controllers) and
 * records every live agent's state (running, sleeping, stopped, zombie) and the CPU time, resident
 * memory and process count of its tree. Where there is no {@code /proc} it asks the JDK instead.
 */
final class HealthMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  private final ScheduledExecutorService scheduler;
  private final Supplier<Collection<LocalAgent>> agents;

  HealthMonitor(Duration interval, Supplier<Collection<LocalAgent>> agents) {
    this.agents = agents;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r ->
                Thread.ofPlatform()
                    .name("descartes-health")
                    .daemon(true)
                    .stackSize(256 * 1024)
                    .unstarted(r));
    long ms = Math.max(1, interval.toMillis());
    scheduler.scheduleWithFixedDelay(this::checkNow, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Runs one check of every live agent on the calling thread. */
  void checkNow() {
    try {
      Collection<LocalAgent> live = agents.get();
      if (live.isEmpty()) {
        return;
      }
      // Agents in cgroups are read from their controllers: /proc is scanned only for the others.
      boolean scan =
          Platform.isLinux()
              && live.stream()
                  .anyMatch(a -> a.tree().filter(t -> t instanceof LinuxAgentTree).isPresent());
      ProcSnapshot snapshot = scan ? ProcSnapshots.fresh() : null;
      Instant now = Instant.now();
      for (LocalAgent a : live) {
        a.tree().ifPresent(t -> a.recordHealth(sample(t, snapshot, now)));
      }
    } catch (RuntimeException e) {
      LOG.warn("health check failed: {}", e.toString());
    }
  }

  /** One agent's state and usage now, from {@code snapshot} (null where there is no /proc). */
  static HealthSample sample(AgentTree tree, ProcSnapshot snapshot, Instant now) {
    return switch (tree) {
      case CgroupAgentTree cgroup -> sampleCgroup(cgroup, now);
      case LinuxAgentTree linux -> sampleLinux(linux.tree(), snapshot, now);
      case PortableAgentTree portable -> samplePortable(portable.leaderPid(), now);
    };
  }

  private static HealthSample sampleLinux(ProcessTree tree, ProcSnapshot snapshot, Instant now) {
    List<ProcStat> members = tree.members(snapshot);
    long cpu = 0;
    long rss = 0;
    ProcessState state = ProcessState.EXITED;
    int count = 0;
    for (ProcStat p : members) {
      if (p.pid() == tree.leaderPid()) {
        state = toState(p.state());
      }
      if (tree.wrapped() && (p.pid() == tree.leaderPid() || p.ppid() == tree.leaderPid())) {
        continue; // bubblewrap and its namespace's init are not the agent's
      }
      count++;
      cpu += p.cpuTicks();
      rss += p.rssPages();
    }
    ResourceUsage usage =
        new ResourceUsage(
            Duration.ofMillis(cpu * 1000 / ProcFs.TICKS_PER_SECOND),
            rss * ProcFs.PAGE_SIZE,
            count,
            now);
    return new HealthSample(state, Optional.of(usage), now);
  }

  private static HealthSample sampleCgroup(CgroupAgentTree tree, Instant now) {
    CgroupStats s = tree.group().stats();
    ProcessState state =
        ProcFs.stat(tree.leaderPid()).map(p -> toState(p.state())).orElse(ProcessState.EXITED);
    return new HealthSample(
        state,
        Optional.of(new ResourceUsage(s.cpuTime(), s.memoryBytes(), s.processes(), now)),
        now);
  }

  private static HealthSample samplePortable(long pid, Instant now) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    ProcessState state =
        h.map(p -> p.isAlive() ? ProcessState.RUNNING : ProcessState.EXITED)
            .orElse(ProcessState.EXITED);
    Optional<ResourceUsage> usage =
        h.flatMap(
            p ->
                p.info()
                    .totalCpuDuration()
                    .map(
                        cpu -> new ResourceUsage(cpu, -1, 1 + (int) p.descendants().count(), now)));
    return new HealthSample(state, usage, now);
  }

  static ProcessState toState(char c) {
    return switch (c) {
      case 'R' -> ProcessState.RUNNING;
      case 'S', 'I' -> ProcessState.SLEEPING;
      case 'D' -> ProcessState.DISK_WAIT;
      case 'T', 't' -> ProcessState.STOPPED;
      case 'Z', 'X' -> ProcessState.ZOMBIE;
      default -> ProcessState.UNKNOWN;
    };
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
