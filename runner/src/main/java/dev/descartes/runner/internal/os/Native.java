package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Linux system calls the runner needs, called through the Foreign Function &amp; Memory
 * API.
 *
 * <p>{@link #available()} is false off Linux, and when the JVM denies native access; callers then
 * fall back to what the JDK offers. Thread-safe: every call is a plain system call.
 */
@SuppressWarnings("restricted") // the FFM binding itself: its callers are checked for native access
public final class Native {

  private static final Logger LOG = LoggerFactory.getLogger(Native.class);

  private static final long SYS_PIDFD_SEND_SIGNAL = 424; // same number on x86_64 and aarch64
  private static final long SYS_PIDFD_OPEN = 434;
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int AT_FDCWD = -100;
  private static final int STATX_NLINK = 0x4;
  private static final long STATX_NLINK_OFFSET = 16; // struct statx: the same on every architecture

  private static final String NO_ACCESS =
      "Native access is not enabled for the Descartes runner, so it"
          + " falls back to the JDK's process API: the JDK process engine (3 platform threads per agent)"
          + " instead of the native one, signals other than SIGTERM/SIGKILL through /bin/kill, and PID reuse"
          + " guarded by start times only. Launch the JVM with --enable-native-access=dev.descartes.runner"
          + " (module path) or --enable-native-access=ALL-UNNAMED (class path).";

  private static final Native INSTANCE = load();

  private final MethodHandle syscall2;
  private final MethodHandle syscall5;
  private final MethodHandle prctl;
  private final MethodHandle prlimit;
  private final MethodHandle statx;

  // Libc is loaded only here, once native access is known to be granted.
  private Native() {
    syscall2 =
        Libc.withErrno(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    syscall5 =
        Libc.withErrno(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    prctl =
        Libc.withErrno(
            "prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    prlimit =
        Libc.withErrno(
            "prlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    statx =
        Libc.withErrno(
            "statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
  }

  private static Native load() {
    if (!Platform.isLinux()) {
      return null;
    }
    if (!Native.class.getModule().isNativeAccessEnabled()) {
      // Checked before any restricted call, so the JVM prints no warning of its own: this is the
      // one.
      Warnings.warn(LOG, NO_ACCESS);
      return null;
    }
    try {
      Native n = new Native();
      n.probe();
      return n;
    } catch (IllegalCallerException e) {
      Warnings.warn(LOG, NO_ACCESS);
      return null;
    } catch (Throwable e) {
      Warnings.warn(
          LOG,
          "Linux system calls are unavailable (" + e + "); falling back to the JDK's process API");
      return null;
    }
  }

  private void probe() {
    // pidfd_open(getpid()) proves the kernel has pidfds (Linux 5.3+) and that the binding works.
    pidfdOpen(ProcessHandle.current().pid())
        .orElseThrow(() -> new IllegalStateException("pidfd_open is not supported by this kernel"))
        .close();
  }

  /** The bindings, or empty off Linux or without native access. */
  public static Optional<Native> get() {
    return Optional.ofNullable(INSTANCE);
  }

  public static boolean available() {
    return INSTANCE != null;
  }

  /** {@code pidfd_open(pid, 0)}: a descriptor that refers to this process and no later one. */
  public Optional<FileDescriptor> pidfdOpen(long pid) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.newCapture(arena);
      long r = (long) syscall2.invokeExact(state, SYS_PIDFD_OPEN, (int) pid, 0);
      return r < 0 ? Optional.empty() : Optional.of(new FileDescriptor((int) r));
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code pidfd_send_signal(fd, sig, NULL, 0)}.
   *
   * @return 0 on success, else the errno ({@code ESRCH}, 3, once the process has exited)
   */
  public int pidfdSendSignal(FileDescriptor pidfd, int signal) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.newCapture(arena);
      long r =
          (long)
              syscall5.invokeExact(
                  state, SYS_PIDFD_SEND_SIGNAL, pidfd.intValue(), signal, MemorySegment.NULL, 0);
      return r < 0 ? Libc.errno(state) : 0;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for the process behind {@code pidfd} to exit (a pidfd becomes
   * readable when its process exits).
   *
   * @return true if it has exited
   */
  public boolean awaitExit(FileDescriptor pidfd, int timeoutMillis) {
    try (Arena arena = Arena.ofConfined()) {
      return Pipes.awaitReadable(
          Libc.newCapture(arena), arena.allocate(8, 4), pidfd.intValue(), timeoutMillis);
    }
  }

  /** {@code prctl(PR_SET_CHILD_SUBREAPER, 1)}: orphaned descendants are re-parented to this JVM. */
  public boolean becomeSubreaper() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.newCapture(arena);
      return (int) prctl.invokeExact(state, PR_SET_CHILD_SUBREAPER, 1L) == 0;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code prlimit(pid, resource, {limit, limit}, NULL)}: lowers (soft and hard) one rlimit of a
   * running process. Raising one needs CAP_SYS_RESOURCE.
   *
   * @return 0, or the errno
   */
  public int prlimit(long pid, int resource, long limit) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.newCapture(arena);
      MemorySegment rl = arena.allocate(16, 8);
      rl.set(JAVA_LONG, 0, limit);
      rl.set(JAVA_LONG, 8, limit);
      int r = (int) prlimit.invokeExact(state, (int) pid, resource, rl, MemorySegment.NULL);
      return r < 0 ? Libc.errno(state) : 0;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code statx(path, STATX_NLINK)}: the link count of {@code path}; a directory's is 2 plus its
   * subdirectories, so a cgroup with no child group has 2.
   *
   * @return the link count, or -1 if {@code path} cannot be read (gone)
   */
  public int linkCount(String path) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.newCapture(arena);
      MemorySegment buf = arena.allocate(256, 8);
      int r =
          (int) statx.invokeExact(state, AT_FDCWD, arena.allocateFrom(path), 0, STATX_NLINK, buf);
      return r == 0 ? buf.get(JAVA_INT, STATX_NLINK_OFFSET) : -1;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }
}
