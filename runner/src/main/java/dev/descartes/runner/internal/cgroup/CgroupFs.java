package dev.descartes.runner.internal.cgroup;

import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.ProcFs;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads and writes cgroup files; every reader tolerates a group that vanished. */
final class CgroupFs {

  private CgroupFs() {}

  /**
   * Writes {@code value} in one {@code write(2)}, as the cgroup interface files expect. A plain
   * stream: open, write, close and nothing else (the NIO channel path costs a multiple in CPU and
   * in code to compile, on a path that runs several times per agent).
   */
  static void write(Path file, String value) throws IOException {
    try (FileOutputStream out = new FileOutputStream(file.toString())) {
      out.write(value.getBytes(StandardCharsets.US_ASCII));
    } catch (FileNotFoundException e) {
      throw new NoSuchFileException(file.toString(), null, e.getMessage());
    }
  }

  static String read(Path file) throws IOException {
    return new String(ProcFs.readBytes(file), StandardCharsets.US_ASCII);
  }

  /** The pids in {@code dir/cgroup.procs}; empty if the group is gone. */
  static List<Integer> procs(Path dir) {
    return ProcFs.ids(dir.resolve("cgroup.procs"));
  }

  /** {@link #procs}, with those of every group below {@code dir}. */
  static List<Integer> procsBelow(Path dir) {
    List<Integer> out = procs(dir);
    for (Path c : children(dir)) {
      out.addAll(procsBelow(c));
    }
    return out;
  }

  /** {@link #isEmpty}, for {@code dir} and every group below it. */
  static boolean isEmptyBelow(Path dir) {
    if (!isEmpty(dir)) {
      return false;
    }
    for (Path c : children(dir)) {
      if (!isEmptyBelow(c)) {
        return false;
      }
    }
    return true;
  }

  private static List<Path> children(Path dir) {
    List<Path> out = new ArrayList<>();
    // A directory's link count is 2 + its subdirectories: one stat, no listing.
    if (linkCount(dir) <= 2) {
      return out;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
      children.forEach(out::add);
    } catch (IOException e) {
      // gone, or not listable: no children to look at
    }
    return out;
  }

  private static int linkCount(Path dir) {
    Optional<Native> n = Native.get();
    if (n.isPresent()) {
      return n.get().linkCount(dir.toString());
    }
    try {
      return ((Number) Files.getAttribute(dir, "unix:nlink")).intValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Whether {@code dir/cgroup.procs} is empty (or the group is gone). */
  static boolean isEmpty(Path dir) {
    try (FileInputStream in = new FileInputStream(dir.resolve("cgroup.procs").toString())) {
      return in.read() < 0; // one byte tells: the file lists one pid a line
    } catch (IOException e) {
      return true;
    }
  }

  /** A file holding one number ({@code max} reads as empty). */
  static OptionalLong number(Path file) {
    try {
      String s = read(file).trim();
      return s.isEmpty() || s.equals("max")
          ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(s));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of {@code key} in a flat-keyed file ({@code key value} per line). */
  static OptionalLong keyed(Path file, String key) {
    try {
      for (String line : read(file).split("\n")) {
        int sp = line.indexOf(' ');
        if (sp > 0 && line.regionMatches(0, key, 0, key.length()) && sp == key.length()) {
          return OptionalLong.of(Long.parseLong(line.substring(sp + 1).trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone or unreadable
    }
    return OptionalLong.empty();
  }

  /**
   * Removes {@code dir} and the groups below it, deepest first. A group that still holds a process
   * stays.
   *
   * @return whether {@code dir} is gone
   */
  static boolean removeTree(Path dir) {
    try {
      Files.delete(dir); // the usual case: no child group; rmdir(2) at once, no listing
      return true;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      // children, or still populated: below
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path c : children) {
        removeTree(c);
      }
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      // not listable: try the rmdir anyway
    }
    try {
      Files.deleteIfExists(dir); // rmdir(2); cgroupfs refuses a populated group with EBUSY
      return true;
    } catch (IOException e) {
      return !Files.exists(dir);
    }
  }
}
