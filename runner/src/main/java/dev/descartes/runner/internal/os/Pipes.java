package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * File-descriptor calls of the native engine: {@code pipe2}, {@code fcntl(O_NONBLOCK)}, {@code
 * read}, {@code write}, {@code close} and {@code eventfd}.
 *
 * <p>{@link #read} and {@link #write} return the byte count, or {@code -errno}; they never throw
 * for an I/O error, so the event loop can tell {@link #EAGAIN} from end of file cheaply.
 * Thread-safe.
 */
public final class Pipes {

  public static final int EAGAIN = 11;
  public static final int EPIPE = 32;
  public static final int EINTR = 4;

  private static final int O_NONBLOCK = 0x800; // same in asm-generic (aarch64) and x86_64
  private static final int O_CLOEXEC = 0x80000;
  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;
  private static final int F_DUPFD_CLOEXEC = 1030;
  private static final int EFD_NONBLOCK = O_NONBLOCK;
  private static final int EFD_CLOEXEC = O_CLOEXEC;

  private static final MethodHandle PIPE2 =
      Libc.withErrno("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle FCNTL =
      Libc.withErrno(
          "fcntl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
          Linker.Option.firstVariadicArg(2));
  private static final int F_SETPIPE_SZ = 1031;
  private static final int F_GETPIPE_SZ = 1032;

  /**
   * {@code read} straight into a Java array: a critical call (no safepoint inside, so the array
   * cannot move) is allowed heap memory. A non-blocking read is short, so holding off the GC for it
   * costs nothing measurable, and it saves the copy from a native buffer.
   */
  private static final MethodHandle READ_HEAP =
      Libc.withErrno(
          "read",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
          Linker.Option.critical(true));

  /** {@code write} straight from a Java array, as {@link #READ_HEAP} reads into one. */
  private static final MethodHandle WRITE_HEAP =
      Libc.withErrno(
          "write",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
          Linker.Option.critical(true));

  private static final MethodHandle POLL =
      Libc.withErrno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final short POLLIN = 1;
  private static final MethodHandle CLOSE =
      Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle EVENTFD =
      Libc.withErrno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

  private Pipes() {}

  /** The two ends of a pipe. */
  public record Pipe(FileDescriptor read, FileDescriptor write) {}

  /**
   * {@code pipe2(fds, O_CLOEXEC)}: both ends close on exec, so no other child ever inherits them.
   * Both descriptors are 3 or above (moved there if the JVM runs with 0, 1 or 2 closed), so that
   * dup'ing them onto a child's 0, 1 and 2 never overwrites one with another.
   */
  public static Pipe pipe() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      int r = (int) PIPE2.invokeExact(capture, fds, O_CLOEXEC);
      if (r != 0) {
        throw error("pipe2", Libc.errno(capture));
      }
      int[] ends = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
      for (int i = 0; i < 2; i++) {
        if (ends[i] < 3) {
          int moved = (int) FCNTL.invokeExact(capture, ends[i], F_DUPFD_CLOEXEC, 3);
          int errno = Libc.errno(capture);
          close(ends[i]);
          ends[i] = moved;
          if (moved < 0) {
            close(ends[0]);
            close(ends[1]);
            throw error("fcntl(F_DUPFD_CLOEXEC)", errno);
          }
        }
      }
      return new Pipe(new FileDescriptor(ends[0]), new FileDescriptor(ends[1]));
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * Sets {@code O_NONBLOCK} on this end only (each end of a pipe has its own file status flags).
   */
  public static void setNonBlocking(FileDescriptor descriptor) throws IOException {
    int fd = descriptor.intValue();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      int flags = (int) FCNTL.invokeExact(capture, fd, F_GETFL, 0);
      if (flags < 0 || (int) FCNTL.invokeExact(capture, fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        throw error("fcntl(O_NONBLOCK)", Libc.errno(capture));
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** {@code eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)}: the event loop's wake-up descriptor. */
  public static FileDescriptor eventFd() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      int fd = (int) EVENTFD.invokeExact(capture, 0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (fd < 0) {
        throw error("eventfd", Libc.errno(capture));
      }
      return new FileDescriptor(fd);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code read(fd, buf + off, len)} into a Java array, non-blocking descriptors only: bytes read,
   * 0 at end of file, or {@code -errno}. Retries EINTR.
   */
  public static long read(MemorySegment capture, int fd, byte[] buf, int off, int len) {
    try {
      MemorySegment target = MemorySegment.ofArray(buf).asSlice(off, len);
      while (true) {
        long n = (long) READ_HEAP.invokeExact(capture, fd, target, (long) len);
        if (n >= 0) {
          return n;
        }
        int errno = Libc.errno(capture);
        if (errno != EINTR) {
          return -errno;
        }
      }
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * Asks for a pipe buffer of {@code bytes} ({@code F_SETPIPE_SZ}), or of as much as {@code
   * /proc/sys/fs/pipe-max-size} allows if that is less. Quiet when the kernel refuses (an
   * unprivileged user past {@code pipe-user-pages-soft}): the pipe keeps its size.
   *
   * @return the pipe's size now
   */
  public static int setPipeSize(FileDescriptor pipe, int bytes) {
    int fd = pipe.intValue();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      int r = (int) FCNTL.invokeExact(capture, fd, F_SETPIPE_SZ, Math.min(bytes, PipeMax.BYTES));
      return r > 0 ? r : (int) FCNTL.invokeExact(capture, fd, F_GETPIPE_SZ, 0);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  private static final class PipeMax {
    static final int BYTES = read();

    private static int read() {
      // readLine, not Files.readString: this sysctl file, read whole, yields one byte on this
      // kernel
      try (java.io.BufferedReader r =
          java.nio.file.Files.newBufferedReader(
              java.nio.file.Path.of("/proc/sys/fs/pipe-max-size"))) {
        return Integer.parseInt(r.readLine().strip());
      } catch (IOException | RuntimeException e) {
        return 1 << 20; // the kernel's default maximum
      }
    }
  }

  /**
   * {@code poll} on one descriptor for {@code POLLIN} (a pipe with bytes or hung up, a pidfd whose
   * process exited), up to {@code timeoutMillis}; EINTR counts as not ready.
   *
   * @param pollfd 8 bytes, 4-aligned, for the {@code struct pollfd}
   * @return whether it is ready
   */
  public static boolean awaitReadable(
      MemorySegment capture, MemorySegment pollfd, int fd, int timeoutMillis) {
    try {
      pollfd.set(JAVA_INT, 0, fd);
      pollfd.set(JAVA_SHORT, 4, POLLIN);
      pollfd.set(JAVA_SHORT, 6, (short) 0);
      return (int) POLL.invokeExact(capture, pollfd, 1L, timeoutMillis) > 0;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code write(fd, buf + off, len)} from a Java array, non-blocking descriptors only: bytes
   * written or {@code -errno}. Retries EINTR.
   */
  public static long write(MemorySegment capture, int fd, byte[] buf, int off, int len) {
    try {
      MemorySegment source = MemorySegment.ofArray(buf).asSlice(off, len);
      while (true) {
        long n = (long) WRITE_HEAP.invokeExact(capture, fd, source, (long) len);
        if (n >= 0) {
          return n;
        }
        int errno = Libc.errno(capture);
        if (errno != EINTR) {
          return -errno;
        }
      }
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * {@code close(fd)}; errors are ignored (Linux frees the descriptor even when close fails). Only
   * for a number not held by a {@link FileDescriptor}, which closes itself.
   */
  public static void close(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int ignored = (int) CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  static IOException error(String call, int errno) {
    return new IOException(call + " failed: error " + errno + " (" + Libc.describe(errno) + ")");
  }
}
