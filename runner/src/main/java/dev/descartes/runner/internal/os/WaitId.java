package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Reaps exactly one child through its pidfd: {@code waitid(P_PIDFD, fd, &info, WEXITED | WNOHANG)}.
 * Never {@code waitpid(-1)}, which would steal the children the JDK's own reaper waits for.
 * Thread-safe.
 */
public final class WaitId {

  private static final int P_PID = 1;
  private static final int P_PIDFD = 3;
  private static final int WEXITED = 4;
  private static final int WNOHANG = 1;
  private static final int CLD_EXITED = 1;
  private static final int SIGINFO_SIZE = 128;

  private static final MethodHandle WAITID =
      Libc.withErrno(
          "waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

  /** What one attempt to reap found. */
  public sealed interface Result {
    /** Whether the child was reaped by this call. */
    default boolean reaped() {
      return this instanceof Exited || this instanceof Killed;
    }

    /** Reaped: it called {@code exit(code)}. */
    record Exited(int code) implements Result {}

    /** Reaped: it was terminated by {@code signal}. */
    record Killed(int signal) implements Result {}

    /** Not exited yet. */
    record Running() implements Result {}

    /** {@code waitid} failed; {@code ECHILD} means someone else reaped it. */
    record Failed(int errno) implements Result {}
  }

  private WaitId() {}

  /**
   * Links the {@code waitid} downcall now, if it is not linked yet (loading this class does it).
   * The first link of a downcall takes tens of milliseconds; an engine calls this as it starts, so
   * that its first reap, on the event loop every exit waits for, does not pay for it.
   */
  public static void link() {
    // nothing more to do: the class initializer has linked WAITID before this runs
  }

  /** Reaps the child behind {@code pidfd} if it has exited; does not wait. */
  public static Result reap(FileDescriptor pidfd) {
    return waitid(P_PIDFD, pidfd.intValue(), WEXITED | WNOHANG);
  }

  /**
   * Waits for and reaps child {@code pid}. Only for a child this JVM started and nobody else waits
   * for (its pid cannot be recycled before it is reaped), when no pidfd could be opened for it.
   */
  public static Result reapBlocking(int pid) {
    return waitid(P_PID, pid, WEXITED);
  }

  private static Result waitid(int idType, int id, int options) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      MemorySegment info = arena.allocate(SIGINFO_SIZE, 8);
      int r;
      do {
        r = (int) WAITID.invokeExact(capture, idType, id, info, options);
      } while (r < 0 && Libc.errno(capture) == Pipes.EINTR);
      if (r < 0) {
        return new Result.Failed(Libc.errno(capture));
      }
      // siginfo_t on LP64 Linux: si_signo 0, si_errno 4, si_code 8, si_pid 16, si_uid 20, si_status
      // 24
      if (info.get(JAVA_INT, 16) == 0) {
        return new Result.Running();
      }
      int status = info.get(JAVA_INT, 24);
      return info.get(JAVA_INT, 8) == CLD_EXITED
          ? new Result.Exited(status)
          : new Result.Killed(status);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }
}
