package dev.descartes.runner.internal.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A classic-BPF seccomp program that takes IP networking away: {@code socket(AF_INET, ...)} and
 * {@code socket(AF_INET6, ...)} fail with {@code EPERM}, and so does {@code io_uring_setup} (an
 * io_uring can open sockets without the {@code socket} system call). Every other call is allowed. A
 * call made under another architecture's ABI (x32, 32-bit compatibility) fails with {@code EPERM}
 * too, since its numbers differ. Bubblewrap loads it with {@code --seccomp FD}. Stateless.
 */
final class SeccompFilter {

  private static final int LD_W_ABS = 0x20;
  private static final int JEQ_K = 0x15;
  private static final int JGE_K = 0x35;
  private static final int RET_K = 0x06;
  private static final int RET_ALLOW = 0x7fff0000;
  private static final int RET_EPERM = 0x00050000 | 1;
  private static final int OFFSET_NR = 0;
  private static final int OFFSET_ARCH = 4;
  private static final int OFFSET_ARG0 = 16;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int X32_BIT = 0x40000000;
  private static final int IO_URING_SETUP = 425;

  private SeccompFilter() {}

  /** The program for this machine's architecture, or empty where it is not known. */
  static Optional<byte[]> denyInetSockets() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> Optional.of(program(0xc000003e, 41));
      case "aarch64" -> Optional.of(program(0xc00000b7, 198));
      default -> Optional.empty();
    };
  }

  private static byte[] program(int auditArch, int socketNr) {
    ByteBuffer b = ByteBuffer.allocate(12 * 8).order(ByteOrder.nativeOrder());
    // index: instruction (a jump skips jt or jf instructions after the next one)
    put(b, LD_W_ABS, 0, 0, OFFSET_ARCH); // 0
    put(b, JEQ_K, 0, 9, auditArch); // 1: foreign ABI -> 11
    put(b, LD_W_ABS, 0, 0, OFFSET_NR); // 2
    put(b, JGE_K, 7, 0, X32_BIT); // 3: x32 -> 11
    put(b, JEQ_K, 6, 0, IO_URING_SETUP); // 4: -> 11
    put(b, JEQ_K, 1, 0, socketNr); // 5: socket -> 7
    put(b, RET_K, 0, 0, RET_ALLOW); // 6
    put(b, LD_W_ABS, 0, 0, OFFSET_ARG0); // 7: the address family (low 32 bits)
    put(b, JEQ_K, 2, 0, AF_INET); // 8: -> 11
    put(b, JEQ_K, 1, 0, AF_INET6); // 9: -> 11
    put(b, RET_K, 0, 0, RET_ALLOW); // 10
    put(b, RET_K, 0, 0, RET_EPERM); // 11
    return b.array();
  }

  private static void put(ByteBuffer b, int code, int jt, int jf, int k) {
    b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
  }
}
