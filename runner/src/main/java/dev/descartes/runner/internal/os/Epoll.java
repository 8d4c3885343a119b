package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * {@code epoll} through FFM: one instance, level-triggered, each registration carrying a 64-bit
 * token in {@code epoll_data.u64}.
 *
 * <p>{@code struct epoll_event} is {@code __attribute__((packed))} on x86_64 (12 bytes, data at
 * offset 4) and naturally aligned on aarch64 (16 bytes, data at offset 8); {@link #EVENT_SIZE} and
 * the data offset follow {@code os.arch}. {@link #control} may be called from any thread (the
 * kernel serialises {@code epoll_ctl}); {@link #await} belongs to one thread, the event loop.
 */
public final class Epoll implements AutoCloseable {

  public static final int IN = 0x001;
  public static final int OUT = 0x004;
  public static final int ERR = 0x008;
  public static final int HUP = 0x010;

  /** Reports one event, then stays silent until the registration is changed again. */
  public static final int ONESHOT = 1 << 30;

  private static final int CTL_ADD = 1;
  private static final int CTL_DEL = 2;
  private static final int CTL_MOD = 3;
  private static final int EPOLL_CLOEXEC = 0x80000;
  private static final int ENOENT = 2;
  private static final int EEXIST = 17;

  /** Size of one {@code struct epoll_event} on this architecture. */
  public static final long EVENT_SIZE;

  private static final long DATA_OFFSET;

  static {
    boolean x86 =
        switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
          case "amd64", "x86_64" -> true;
          default -> false;
        };
    EVENT_SIZE = x86 ? 12 : 16;
    DATA_OFFSET = x86 ? 4 : 8;
  }

  private static final MethodHandle CREATE =
      Libc.withErrno("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle CTL =
      Libc.withErrno(
          "epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle WAIT =
      Libc.withErrno(
          "epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

  private final FileDescriptor epfd;

  private Epoll(FileDescriptor epfd) {
    this.epfd = epfd;
  }

  public static Epoll create() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      int fd = (int) CREATE.invokeExact(capture, EPOLL_CLOEXEC);
      if (fd < 0) {
        throw Pipes.error("epoll_create1", Libc.errno(capture));
      }
      return new Epoll(new FileDescriptor(fd));
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * Registers {@code fd}, new to this epoll set, for {@code events} with {@code token} (changes the
   * registration if it exists after all). From any thread.
   *
   * @throws IOException if the kernel refused (the descriptor is not open, ...)
   */
  public void add(FileDescriptor fd, int events, long token) throws IOException {
    control(fd, events, token, CTL_ADD, EEXIST, CTL_MOD);
  }

  /**
   * Changes the registration of {@code fd} to {@code events} with {@code token} (registers it if it
   * is not registered); {@code events == 0} keeps the descriptor registered but silent. From any
   * thread.
   *
   * @throws IOException if the kernel refused (the descriptor is not open, ...)
   */
  public void modify(FileDescriptor fd, int events, long token) throws IOException {
    control(fd, events, token, CTL_MOD, ENOENT, CTL_ADD);
  }

  /** {@code epoll_ctl(op)}, then {@code fallback} if that failed with {@code fallbackErrno}. */
  private void control(
      FileDescriptor descriptor, int events, long token, int op, int fallbackErrno, int fallback)
      throws IOException {
    int fd = descriptor.intValue();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      MemorySegment ev = arena.allocate(16, 8);
      ev.set(JAVA_INT_UNALIGNED, 0, events);
      ev.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, token);
      int r = (int) CTL.invokeExact(capture, epfd.intValue(), op, fd, ev);
      if (r != 0 && Libc.errno(capture) == fallbackErrno) {
        r = (int) CTL.invokeExact(capture, epfd.intValue(), fallback, fd, ev);
      }
      if (r != 0) {
        throw Pipes.error("epoll_ctl", Libc.errno(capture));
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** Removes {@code fd}; quiet if it was not registered. Closing a descriptor also removes it. */
  public void remove(FileDescriptor fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCapture(arena);
      int ignored =
          (int)
              CTL.invokeExact(capture, epfd.intValue(), CTL_DEL, fd.intValue(), MemorySegment.NULL);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** A buffer for {@link #await} of {@code max} events. */
  public static MemorySegment events(Arena arena, int max) {
    return arena.allocate(EVENT_SIZE * max, 8);
  }

  /**
   * {@code epoll_wait}; EINTR counts as zero events.
   *
   * @return the number of events now in {@code events}
   */
  public int await(MemorySegment capture, MemorySegment events, int timeoutMillis)
      throws IOException {
    try {
      int max = (int) (events.byteSize() / EVENT_SIZE);
      int n = (int) WAIT.invokeExact(capture, epfd.intValue(), events, max, timeoutMillis);
      if (n < 0) {
        int errno = Libc.errno(capture);
        if (errno == Pipes.EINTR) {
          return 0;
        }
        throw Pipes.error("epoll_wait", errno);
      }
      return n;
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** The event mask of the {@code i}th event in {@code events}. */
  public static int eventMask(MemorySegment events, int i) {
    return events.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
  }

  /** The token of the {@code i}th event in {@code events}. */
  public static long eventToken(MemorySegment events, int i) {
    return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
  }

  @Override
  public void close() {
    epfd.close();
  }
}
