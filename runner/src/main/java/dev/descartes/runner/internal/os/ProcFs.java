package dev.descartes.runner.internal.os;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads Linux's {@code /proc}. Every method tolerates processes vanishing while it reads. */
public final class ProcFs {

  private static final Path PROC = Path.of("/proc");

  /** Clock ticks per second for {@code /proc} times; 100 on every Linux the JDK supports. */
  public static final long TICKS_PER_SECOND = 100;

  /**
   * Page size for {@code rss}; 4096 except on some aarch64 kernels, read from the JVM's own statm.
   */
  public static final long PAGE_SIZE = pageSize();

  private ProcFs() {}

  public static Optional<ProcStat> stat(long pid) {
    try {
      return Optional.of(
          ProcStat.parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every process's stat, read once. */
  public static List<ProcStat> all() {
    List<ProcStat> out = new ArrayList<>(512);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        try {
          out.add(ProcStat.parse(Files.readString(p.resolve("stat"))));
        } catch (IOException | RuntimeException e) {
          // exited while we listed
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }

  /**
   * The whole of a small kernel file ({@code /proc}, cgroupfs): open, read until end of file,
   * close.
   *
   * @throws NoSuchFileException if it is gone
   */
  public static byte[] readBytes(Path file) throws IOException {
    try (FileInputStream in = new FileInputStream(file.toString())) {
      byte[] buf = new byte[512];
      int n = 0;
      while (true) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          return n == buf.length ? buf : Arrays.copyOf(buf, n);
        }
        n += r;
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
      }
    } catch (FileNotFoundException e) {
      throw new NoSuchFileException(file.toString(), null, e.getMessage());
    }
  }

  /**
   * The numbers in {@code file}, one a line or separated by spaces ({@code cgroup.procs}, {@code
   * tasks}, a thread's {@code children}); empty if it is gone.
   */
  public static List<Integer> ids(Path file) {
    List<Integer> out = new ArrayList<>();
    try {
      byte[] s = readBytes(file);
      int n = 0;
      boolean in = false;
      for (byte c : s) {
        if (c >= '0' && c <= '9') {
          n = n * 10 + (c - '0');
          in = true;
        } else if (in) {
          out.add(n);
          n = 0;
          in = false;
        }
      }
      if (in) {
        out.add(n);
      }
    } catch (IOException e) {
      // gone
    }
    return out;
  }

  /** Clock ticks since boot, now: comparable with {@link ProcStat#startTicks()}. */
  public static long uptimeTicks() {
    try {
      String s = Files.readString(PROC.resolve("uptime"));
      double secs = Double.parseDouble(s.substring(0, s.indexOf(' ')));
      return (long) (secs * TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long pageSize() {
    try {
      String[] statm = Files.readString(PROC.resolve("self/statm")).trim().split(" ");
      String[] status =
          Files.readAllLines(PROC.resolve("self/status")).stream()
              .filter(l -> l.startsWith("VmRSS:"))
              .findFirst()
              .orElseThrow()
              .split("\\s+");
      long rssKb = Long.parseLong(status[1]);
      long pages = Long.parseLong(statm[1]);
      long size = pages == 0 ? 4096 : Math.round((rssKb * 1024.0) / pages / 4096.0) * 4096;
      return size <= 0 ? 4096 : size;
    } catch (IOException | RuntimeException e) {
      return 4096;
    }
  }
}
