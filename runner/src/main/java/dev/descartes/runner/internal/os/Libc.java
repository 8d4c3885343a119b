package dev.descartes.runner.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The plumbing shared by every FFM binding ({@link Native}, {@link PosixSpawn}, {@link Pipes},
 * {@link Epoll}, {@link WaitId}): looking up glibc functions, capturing {@code errno} (the one
 * capture layout and the one place that rethrows what a downcall threw), and describing an error
 * number the way {@code strerror} does.
 *
 * <p>Loading this class performs restricted FFM calls: touch it only once {@link
 * Native#available()} said native access is granted. Thread-safe: method handles are immutable;
 * every caller brings its own errno capture segment ({@link #newCapture(Arena)}).
 */
@SuppressWarnings("restricted") // the FFM binding itself: its callers are checked for native access
public final class Libc {

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final MethodHandle STRERRORDESC =
      LOOKUP
          .find("strerrordesc_np")
          .or(() -> LOOKUP.find("strerror"))
          .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
          .orElseThrow();

  private Libc() {}

  /** A downcall to {@code name} that does not look at {@code errno}. */
  public static MethodHandle function(
      String name, FunctionDescriptor descriptor, Linker.Option... options) {
    return LINKER.downcallHandle(symbol(name), descriptor, options);
  }

  /**
   * A downcall to {@code name} whose first parameter is an errno capture segment, followed by the
   * parameters of {@code descriptor}.
   */
  static MethodHandle withErrno(
      String name, FunctionDescriptor descriptor, Linker.Option... options) {
    Linker.Option[] all = new Linker.Option[options.length + 1];
    System.arraycopy(options, 0, all, 0, options.length);
    all[options.length] = CAPTURE_ERRNO;
    return LINKER.downcallHandle(symbol(name), descriptor, all);
  }

  /** Whether glibc exports {@code name}. */
  static boolean has(String name) {
    return LOOKUP.find(name).isPresent();
  }

  private static MemorySegment symbol(String name) {
    Optional<MemorySegment> s = LOOKUP.find(name);
    return s.orElseThrow(() -> new UnsatisfiedLinkError("glibc has no " + name));
  }

  /** A segment that receives {@code errno} after a call made through {@link #withErrno}. */
  public static MemorySegment newCapture(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  /** The {@code errno} left in {@code capture} by the last call that used it. */
  public static int errno(MemorySegment capture) {
    return (int) ERRNO.get(capture, 0L);
  }

  /** {@code strerror(errno)}: "No such file or directory" for ENOENT, and so on. */
  public static String describe(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERRORDESC.invokeExact(errno);
      if (s.equals(MemorySegment.NULL)) {
        return "Unknown error " + errno;
      }
      return s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }
}
