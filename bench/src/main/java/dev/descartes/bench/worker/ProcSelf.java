package dev.descartes.bench.worker;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What this process uses, read from {@code /proc/self} the way every peer reads it. */
public final class ProcSelf {

  private static final long SELF = ProcessHandle.current().pid();

  private ProcSelf() {}

  /** Native threads of this process. */
  public static long threads() {
    return statusField("Threads");
  }

  /** Resident memory of this process, in KiB. */
  public static long rssKib() {
    return statusField("VmRSS");
  }

  /** Open file descriptors of this process. */
  public static long fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count() - 1; // the listing's own descriptor
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Processes whose parent is this process, zombies included. */
  public static long children() {
    long n = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!Character.isDigit(name.charAt(0))) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
          if (Long.parseLong(f[1]) == SELF) {
            n++;
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /** CPU time (user + system) of this process so far, in milliseconds. */
  public static double cpuMillis() {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e6;
  }

  /** Heap in use after a full collection, in MiB. */
  public static double heapAfterGcMib() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  private static long statusField(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name + ":")) {
          return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
        }
      }
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
