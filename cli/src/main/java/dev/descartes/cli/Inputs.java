package dev.descartes.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the files and checks the folders the user names (a fleet file, a context file, a working
 * directory), so that each way of failing gets the same message wherever the name came from: the
 * size limit first (before a byte is read), then "no such file", "permission denied", "is a
 * directory", and text that is not UTF-8 with the line and column of the first bad byte.
 */
final class Inputs {

  /**
   * The largest fleet file: a thousand agents take about 200 KiB; long texts belong in context
   * files.
   */
  static final long FLEET_FILE_LIMIT = 1024 * 1024;

  /** The largest context file: what a model takes in one prompt, with room to spare. */
  static final long CONTEXT_FILE_LIMIT = 16 * 1024 * 1024;

  private Inputs() {}

  /**
   * The text of {@code file}, UTF-8 (a byte-order mark is dropped).
   *
   * @param where where the name came from, for messages: {@code --context-file}, {@code
   *     fleet.yaml:4:18}; empty when the file itself is the subject
   * @param what what the file is, for messages: "fleet file", "context file"
   * @param limit the most bytes it may have
   * @param tooLargeFix how to do without a larger file
   * @throws InputError naming the file, what is wrong and the fix
   */
  static String readText(Path file, String where, String what, long limit, String tooLargeFix) {
    String name = where.isEmpty() ? file.toString() : where;
    String subject = where.isEmpty() ? "the file " : what + " " + file + " ";
    if (Files.isDirectory(file)) {
      throw InputError.noInput(
          name, subject + "is a directory, not a " + what, "give the path of a " + what);
    }
    try {
      if (Files.isRegularFile(file) && Files.size(file) > limit) {
        throw InputError.data(
            name,
            subject
                + "is "
                + size(Files.size(file))
                + ", over the "
                + size(limit)
                + " a "
                + what
                + " may have",
            tooLargeFix);
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes =
            in.readNBytes(
                (int) limit + 1); // a device or pipe has no size: read no more than the limit
      }
      if (bytes.length > limit) {
        throw InputError.data(
            name, subject + "is over the " + size(limit) + " a " + what + " may have", tooLargeFix);
      }
      return utf8(bytes, where, name, subject, file);
    } catch (NoSuchFileException e) {
      throw InputError.noInput(
          name,
          where.isEmpty() ? "no such " + what : subject + "does not exist",
          "check the path (relative paths start at "
              + (where.contains(":") ? "the fleet file's folder" : "the current folder")
              + ")");
    } catch (AccessDeniedException e) {
      throw InputError.noInput(
          name,
          subject + "cannot be read: permission denied",
          "make it readable (chmod u+r " + file + ") or run as a user who may read it");
    } catch (IOException e) {
      throw InputError.noInput(
          name, subject + "cannot be read: " + e.getMessage(), "check that it is a readable file");
    }
  }

  private static String utf8(byte[] bytes, String where, String name, String subject, Path file) {
    int start =
        bytes.length >= 3
                && (bytes[0] & 0xff) == 0xEF
                && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF
            ? 3
            : 0;
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CoderResult r = d.decode(in, out, true);
    if (r.isError()) {
      int bad = in.position();
      int line = 1;
      int lineStart = start;
      for (int i = start; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      String at = where.isEmpty() ? name + ":" + line + ":" + (bad - lineStart + 1) : name;
      boolean utf16 =
          bytes.length >= 2
              && ((bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xFE
                  || (bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xFF);
      throw InputError.data(
          at,
          subject
              + "is not UTF-8 text ("
              + (utf16
                  ? "it is UTF-16"
                  : String.format(Locale.ROOT, "byte 0x%02X at line %d", bytes[bad] & 0xff, line))
              + ")",
          "save it as UTF-8, e.g. iconv -f "
              + (utf16 ? "utf-16" : "latin1")
              + " -t utf-8 "
              + file
              + " > fixed && mv fixed "
              + file);
    }
    d.flush(out);
    out.flip();
    return out.toString();
  }

  /** {@code dir}, absolute and normalized, once checked to be an existing directory. */
  static Path directory(Path dir, String where, String what) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      boolean exists = Files.exists(abs);
      throw InputError.noInput(
          where,
          what + " " + abs + (exists ? " is not a directory" : " does not exist"),
          exists ? "give a directory" : "create it (mkdir -p " + abs + ") or fix the path");
    }
    return abs;
  }

  /** {@code 1 MiB}, {@code 10.0 MiB}, {@code 512 KiB}, {@code 300 bytes}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    if (bytes < 1024 * 1024) {
      return bytes % 1024 == 0
          ? bytes / 1024 + " KiB"
          : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    double mib = bytes / (1024.0 * 1024);
    return bytes % (1024 * 1024) == 0
        ? (long) mib + " MiB"
        : String.format(Locale.ROOT, "%.1f MiB", mib);
  }
}
