package dev.descartes.runner.internal.cgroup;

import dev.descartes.runner.internal.engine.SpawnThread;
import dev.descartes.runner.internal.os.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Starts contained processes from inside their groups. In cgroup v1 a single thread can be moved
 * ({@code tasks}), and a child inherits the cgroups of the thread that forked it: a platform thread
 * enters the agent's groups, starts the process ({@code posix_spawn} or {@code ProcessBuilder},
 * both fork from the calling thread), and returns to the JVM's own groups. The process is in its
 * groups before it runs a single instruction, so nothing it forks can start outside. Thread-safe.
 */
public final class CgroupPlacer {

  private static final ThreadLocal<String> TID = new ThreadLocal<>();
  private static final Path SELF_TASKS = Path.of("/proc/self/task");

  private CgroupPlacer() {}

  /**
   * Runs {@code spawn} on the {@link SpawnThread} while that thread is in {@code group}'s v1
   * groups; a group placed after start (v2) runs it there too, outside any agent group. The
   * caller's own thread could do it when it is a platform thread, without the handoff, but measured
   * alternately against the handoff (1000 spawns, 6 pairs) it was slower in wall time every time,
   * for a few per cent less CPU; and it would move the caller's threads between groups.
   *
   * @param startsThreads whether {@code spawn} may start a JVM thread, which is then brought back
   * @throws IOException if the thread cannot enter the groups (nothing was started), or what {@code
   *     spawn} throws
   */
  public static <T> T spawnInside(AgentCgroup group, boolean startsThreads, Callable<T> spawn)
      throws IOException {
    return SpawnThread.call(() -> placed(group, startsThreads, spawn));
  }

  private static <T> T placed(AgentCgroup group, boolean startsThreads, Callable<T> spawn)
      throws Exception {
    Map<Path, Path> moves = group.threadMoves();
    List<Path> entered = new ArrayList<>(moves.size());
    String tid = tid();
    try {
      for (Path target : moves.keySet()) {
        CgroupFs.write(target.resolve("tasks"), tid);
        entered.add(target);
      }
      return spawn.call();
    } finally {
      for (Path target : entered) {
        Path home = moves.get(target).resolve("tasks");
        CgroupFs.write(home, tid);
        if (!startsThreads) {
          continue;
        }
        // A thread the JVM started during the spawn (the JDK's process reaper, a carrier thread)
        // was born in the agent's groups: bring it home too.
        for (int t : ProcFs.ids(target.resolve("tasks"))) {
          if (Files.exists(SELF_TASKS.resolve(Integer.toString(t)))) {
            try {
              CgroupFs.write(home, Integer.toString(t));
            } catch (IOException e) {
              // it has just ended
            }
          }
        }
      }
    }
  }

  private static String tid() throws IOException {
    String t = TID.get();
    if (t == null) {
      // "/proc/thread-self" links to "PID/task/TID" of the thread that reads it
      Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      t = link.getFileName().toString();
      TID.set(t);
    }
    return t;
  }
}
