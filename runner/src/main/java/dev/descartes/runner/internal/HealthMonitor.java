package dev.descartes.runner.internal;

import dev.descartes.runner.internal.os.ProcSnapshot;
import dev.descartes.runner.internal.os.ProcSnapshots;
import dev.descartes.runner.internal.os.Platform;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's health checks with one thread for every agent of a runner: each tick reads {@code
 * /proc} once and updates every live agent's state (alive, stopped, zombie), last output, and the
 * CPU time, resident memory and process count of its tree.
 */
final class HealthMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  private final ScheduledExecutorService scheduler;
  private final Supplier<Collection<LocalAgent>> agents;

  HealthMonitor(Duration interval, Supplier<Collection<LocalAgent>> agents) {
    this.agents = agents;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
        .name("descartes-health").daemon(true).stackSize(256 * 1024).unstarted(r));
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
      ProcSnapshot snapshot = Platform.isLinux() ? ProcSnapshots.fresh() : null;
      Instant now = Instant.now();
      for (LocalAgent a : live) {
        a.healthCheck(snapshot, now);
      }
    } catch (RuntimeException e) {
      LOG.warn("health check failed: {}", e.toString());
    }
  }

  void checkNowAndClose() {
    try {
      checkNow();
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
