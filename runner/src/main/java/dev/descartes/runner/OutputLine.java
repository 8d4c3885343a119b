package dev.descartes.runner;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of an agent's stdout or stderr, as written. Immutable and thread-safe, but its byte
 * array is not copied: do not modify it.
 *
 * @param number the line's position in the stream, from 0; a gap in numbers means lines were missed
 * @param bytes the bytes as written, newline included when there was one (do not modify)
 * @param complete false for a piece of a line longer than {@link
 *     ProcessRunnerConfig#maxLineBytes()}
 * @param at when the runner read it
 */
public record OutputLine(long number, byte[] bytes, boolean complete, Instant at) {

  /** Checks that no component is null. */
  public OutputLine {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(at, "at");
  }

  /** {@return the line decoded as UTF-8 (invalid bytes replaced), without its line terminator} */
  public String text() {
    return decode(bytes);
  }

  static String decode(byte[] bytes) {
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }
}
