package dev.descartes.runner.internal.os;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pids of the children that this JVM's process engines started and have not reaped yet. The
 * {@link OrphanReaper} never touches them: their engine waits for each one. Thread-safe.
 */
public final class OwnChildren {

  private static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();

  private OwnChildren() {}

  /** Records a child just started. */
  public static void started(long pid) {
    PIDS.add(pid);
  }

  /** Records that the child's engine has reaped it. */
  public static void reaped(long pid) {
    PIDS.remove(pid);
  }

  public static boolean contains(long pid) {
    return PIDS.contains(pid);
  }
}
