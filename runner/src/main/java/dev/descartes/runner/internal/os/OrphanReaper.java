package dev.descartes.runner.internal.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps the orphans re-parented to this JVM once it is a child subreaper: the tool shells and
 * daemons of agents that outlived their parent and then died. Without it each would stay a zombie
 * of the JVM for good, whether or not its agent's tree is still known.
 *
 * <p>One virtual thread sweeps the JVM's children every second. A zombie child that no engine of
 * this JVM started ({@link OwnChildren}) and that is still the same zombie (pid and start time) one
 * sweep later is reaped with {@code waitid} on its pidfd. The JDK reaps the children of {@code
 * ProcessBuilder} at once, so a zombie that waited a whole second is nobody's to wait for.
 * Thread-safe.
 */
public final class OrphanReaper {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanReaper.class);
  private static final long PERIOD_NANOS = 1_000_000_000L;
  private static final long SELF = ProcessHandle.current().pid();
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  /** Whether the kernel lists each thread's children (CONFIG_PROC_CHILDREN). */
  private static final boolean CHILDREN_FILES =
      Files.exists(Path.of("/proc/self/task/" + SELF + "/children"));

  private Set<ProcessTree.Member> seenLastSweep = Set.of();

  private OrphanReaper() {}

  private static final AtomicBoolean SUBREAPER = new AtomicBoolean();

  /**
   * Makes this JVM a child subreaper and starts its sweeper, once per JVM, on Linux with native
   * access; elsewhere, and on later calls, does nothing. Logs a warning if the kernel refuses.
   */
  public static void becomeSubreaper() {
    if (!Platform.isLinux()) {
      return;
    }
    Native.get()
        .ifPresent(
            n -> {
              if (SUBREAPER.compareAndSet(false, true)) {
                if (n.becomeSubreaper()) {
                  start(n);
                } else {
                  LOG.warn(
                      "could not make the JVM a child subreaper; tools that escape into their own session"
                          + " and outlive their parent are then reaped by init");
                }
              }
            });
  }

  /** Starts the JVM's one sweeper, once; later calls do nothing. */
  public static void start(Native n) {
    if (STARTED.compareAndSet(false, true)) {
      OrphanReaper reaper = new OrphanReaper();
      Thread.ofVirtual().name("descartes-orphan-reaper").start(() -> reaper.run(n));
    }
  }

  private void run(Native n) {
    while (true) {
      try {
        sweep(n);
      } catch (RuntimeException e) {
        LOG.debug("orphan sweep failed: {}", e.toString());
      }
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }

  /** Reaps the zombies found by the previous sweep that are still there; remembers the new ones. */
  int sweep(Native n) {
    Set<ProcessTree.Member> zombies = new HashSet<>();
    int reaped = 0;
    for (long pid : foreignChildren()) {
      Optional<ProcStat> s = ProcFs.stat(pid);
      if (s.isEmpty() || !s.get().isZombie() || s.get().ppid() != SELF) {
        continue;
      }
      ProcessTree.Member m = new ProcessTree.Member((int) pid, s.get().startTicks());
      if (seenLastSweep.contains(m) && ProcessTree.reapZombie(n, m.pid(), m.startTicks())) {
        reaped++;
        LOG.debug("reaped orphan {} re-parented to this JVM", pid);
      } else {
        zombies.add(m);
      }
    }
    seenLastSweep = zombies;
    return reaped;
  }

  /**
   * The JVM's children that no engine of it started, from each thread's {@code children} file (a
   * thousand pids a second with a thousand agents running), or from a scan of {@code /proc}.
   */
  private static Set<Long> foreignChildren() {
    List<Integer> children = new ArrayList<>();
    if (!CHILDREN_FILES) {
      ProcSnapshots.fresh().children((int) SELF).forEach(p -> children.add(p.pid()));
      return foreign(children);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        children.addAll(ProcFs.ids(task.resolve("children"))); // empty: the thread has ended
      }
    } catch (IOException e) {
      LOG.debug("cannot list this JVM's threads: {}", e.toString());
    }
    return foreign(children);
  }

  /** Those of {@code children} that no engine of this JVM started (and will wait for). */
  static Set<Long> foreign(List<Integer> children) {
    Set<Long> out = new HashSet<>();
    for (int pid : children) {
      if (!OwnChildren.contains(pid)) {
        out.add((long) pid);
      }
    }
    return out;
  }
}
