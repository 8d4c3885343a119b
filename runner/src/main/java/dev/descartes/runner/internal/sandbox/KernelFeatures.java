package dev.descartes.runner.internal.sandbox;

import dev.descartes.runner.internal.os.Libc;
import dev.descartes.runner.internal.os.Native;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

/** Kernel features a sandbox can use, read from {@code /proc} or asked of the kernel. Stateless. */
public final class KernelFeatures {

  private static final long SYS_LANDLOCK_CREATE_RULESET = 444; // same on x86_64 and aarch64
  private static final long LANDLOCK_CREATE_RULESET_VERSION = 1;

  private KernelFeatures() {}

  /**
   * The Landlock ABI version, or empty when the kernel has no Landlock, or when it cannot be asked
   * (no native access: then {@link Native#available()} is false).
   */
  public static OptionalInt landlockAbi() {
    if (!Native.available()) {
      return OptionalInt.empty();
    }
    try {
      MethodHandle syscall =
          Libc.function(
              "syscall",
              FunctionDescriptor.of(
                  ValueLayout.JAVA_LONG,
                  ValueLayout.JAVA_LONG,
                  ValueLayout.ADDRESS,
                  ValueLayout.JAVA_LONG,
                  ValueLayout.JAVA_INT),
              Linker.Option.firstVariadicArg(1));
      long abi =
          (long)
              syscall.invokeExact(
                  SYS_LANDLOCK_CREATE_RULESET,
                  MemorySegment.NULL,
                  0L,
                  (int) LANDLOCK_CREATE_RULESET_VERSION);
      return abi > 0 ? OptionalInt.of((int) abi) : OptionalInt.empty();
    } catch (Throwable t) {
      return OptionalInt.empty();
    }
  }

  /** The seccomp filter actions the kernel offers, or empty without seccomp filters. */
  public static Optional<String> seccompActions() {
    return read("/proc/sys/kernel/seccomp/actions_avail");
  }

  /** {@code /proc/sys/user/max_user_namespaces}, or empty where the file is missing. */
  public static Optional<String> maxUserNamespaces() {
    return read("/proc/sys/user/max_user_namespaces");
  }

  /** Through a stream: {@code Files.readString} returns only the first byte of a sysctl file. */
  private static Optional<String> read(String file) {
    try (InputStream in = new FileInputStream(file)) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
