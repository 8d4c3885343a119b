package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code posix_spawnp} through FFM, set up the way an agent must start: a new session ({@code
 * POSIX_SPAWN_SETSID}, so pid = process group = session), every signal's disposition back to its
 * default and an empty signal mask (the JVM's own ignore flags and masks do not leak into agents),
 * its working directory, exactly the given environment, the three pipe ends dup'ed onto 0, 1 and 2,
 * and every other descriptor closed ({@code posix_spawn_file_actions_addclosefrom_np(3)}, on top of
 * {@code O_CLOEXEC}). glibc spawns with {@code clone(CLONE_VM | CLONE_VFORK)}, so the cost does not
 * grow with the JVM's heap, and reports an {@code exec} failure as the call's result.
 *
 * <p>{@code posix_spawnattr_t} is 336 bytes and {@code posix_spawn_file_actions_t} 80 bytes in
 * glibc on both x86_64 and aarch64 (LP64, 128-byte {@code sigset_t}); 512 bytes are allocated for
 * each so that a future glibc that grows them into their padding stays safe. Needs glibc 2.34 or
 * later ({@code addclosefrom_np}); {@link #supported()} says whether it is there. Thread-safe.
 */
public final class PosixSpawn {

  /** Flag values from glibc's {@code <spawn.h>}. */
  private static final short SETSIGDEF = 0x04;

  private static final short SETSIGMASK = 0x08;
  private static final short SETSID = 0x80;
  private static final long ATTR_SIZE = 512;
  private static final long ACTIONS_SIZE = 512;
  private static final long SIGSET_SIZE = 128;
  private static final int ENOEXEC = 8;
  private static final String SHELL = "/bin/sh";

  private static final FunctionDescriptor INT_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
  private static final MethodHandle SPAWNP =
      Libc.function(
          "posix_spawnp",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle ATTR_INIT = Libc.function("posix_spawnattr_init", INT_PTR);
  private static final MethodHandle ATTR_DESTROY =
      Libc.function("posix_spawnattr_destroy", INT_PTR);
  private static final MethodHandle ATTR_FLAGS =
      Libc.function(
          "posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
  private static final MethodHandle ATTR_SIGMASK =
      Libc.function(
          "posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle ATTR_SIGDEFAULT =
      Libc.function(
          "posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SIGEMPTYSET = Libc.function("sigemptyset", INT_PTR);
  private static final MethodHandle SIGFILLSET = Libc.function("sigfillset", INT_PTR);
  private static final MethodHandle FA_INIT =
      Libc.function("posix_spawn_file_actions_init", INT_PTR);
  private static final MethodHandle FA_DESTROY =
      Libc.function("posix_spawn_file_actions_destroy", INT_PTR);
  private static final MethodHandle FA_DUP2 =
      Libc.function(
          "posix_spawn_file_actions_adddup2",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle FA_CHDIR =
      Libc.function(
          "posix_spawn_file_actions_addchdir_np",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle FA_CLOSEFROM =
      Libc.function(
          "posix_spawn_file_actions_addclosefrom_np",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

  private PosixSpawn() {}

  /** Whether this glibc has every function the engine needs. */
  public static boolean supported() {
    return Libc.has("posix_spawn_file_actions_addclosefrom_np")
        && Libc.has("posix_spawn_file_actions_addchdir_np");
  }

  /**
   * Starts {@code argv} in a new session.
   *
   * @param argv the program (found through {@code PATH} if it has no slash) and its arguments
   * @param env the complete environment
   * @param cwd the working directory
   * @param stdio the descriptors that become the child's 0, 1 and 2; all must be 3 or above
   * @return the pid, or {@code -errno} if the process could not be started. A file the kernel
   *     refuses as {@code ENOEXEC} (a script without {@code #!}) is run by {@code /bin/sh}, as
   *     {@code execvp} and the JDK do.
   */
  public static int spawn(List<String> argv, Map<String, String> env, Path cwd, int[] stdio) {
    int r = spawnOnce(argv, env, cwd, stdio);
    if (r == -ENOEXEC) {
      List<String> viaShell = new ArrayList<>(argv.size() + 1);
      viaShell.add(SHELL);
      viaShell.addAll(argv);
      return spawnOnce(viaShell, env, cwd, stdio);
    }
    return r;
  }

  private static int spawnOnce(List<String> argv, Map<String, String> env, Path cwd, int[] stdio) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attr = arena.allocate(ATTR_SIZE, 16);
      MemorySegment actions = arena.allocate(ACTIONS_SIZE, 16);
      check((int) ATTR_INIT.invokeExact(attr));
      check((int) FA_INIT.invokeExact(actions));
      try {
        MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
        MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
        check((int) SIGFILLSET.invokeExact(all));
        check((int) SIGEMPTYSET.invokeExact(none));
        check((int) ATTR_SIGDEFAULT.invokeExact(attr, all));
        check((int) ATTR_SIGMASK.invokeExact(attr, none));
        check((int) ATTR_FLAGS.invokeExact(attr, (short) (SETSID | SETSIGDEF | SETSIGMASK)));
        for (int target = 0; target < 3; target++) {
          check((int) FA_DUP2.invokeExact(actions, stdio[target], target));
        }
        check((int) FA_CHDIR.invokeExact(actions, cString(arena, cwd.toString())));
        check((int) FA_CLOSEFROM.invokeExact(actions, 3));
        MemorySegment pid = arena.allocate(JAVA_INT);
        MemorySegment file = cString(arena, argv.getFirst());
        int r =
            (int)
                SPAWNP.invokeExact(
                    pid,
                    file,
                    actions,
                    attr,
                    strings(arena, argv),
                    strings(arena, environment(env)));
        return r == 0 ? pid.get(JAVA_INT, 0) : -r;
      } finally {
        int a = (int) FA_DESTROY.invokeExact(actions);
        int b = (int) ATTR_DESTROY.invokeExact(attr);
      }
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  private static void check(int r) {
    if (r != 0) {
      throw new IllegalStateException(
          "posix_spawn set-up failed: error " + r + " (" + Libc.describe(r) + ")");
    }
  }

  private static List<String> environment(Map<String, String> env) {
    List<String> out = new ArrayList<>(env.size());
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** A NULL-terminated {@code char *[]}. */
  private static MemorySegment strings(Arena arena, List<String> values) {
    MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
    for (int i = 0; i < values.size(); i++) {
      array.setAtIndex(ADDRESS, i, cString(arena, values.get(i)));
    }
    array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
    return array;
  }

  private static MemorySegment cString(Arena arena, String s) {
    return arena.allocateFrom(s, StandardCharsets.UTF_8);
  }
}
