package dev.descartes.runner.internal.cgroup;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Removes the groups of agents that ended while processes of theirs were left running on purpose
 * ({@code killOrphansOnExit(false)}), once those processes are gone: one virtual thread, which
 * looks twice a second while there is such a group. Thread-safe.
 */
final class EmptyGroupRemover {

  private static final long PERIOD_NANOS = 500_000_000L;
  private static final Set<AgentCgroup> PENDING = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean RUNNING = new AtomicBoolean();

  private EmptyGroupRemover() {}

  static void removeWhenEmpty(AgentCgroup group) {
    PENDING.add(group);
    if (RUNNING.compareAndSet(false, true)) {
      Thread.ofVirtual().name("descartes-cgroup-remover").start(EmptyGroupRemover::run);
    }
  }

  private static void run() {
    while (true) {
      PENDING.removeIf(
          g -> {
            if (!g.isEmpty()) {
              return false;
            }
            g.close();
            return g.removed();
          });
      if (PENDING.isEmpty()) {
        RUNNING.set(false);
        if (PENDING.isEmpty() || !RUNNING.compareAndSet(false, true)) {
          return;
        }
      }
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }
}
