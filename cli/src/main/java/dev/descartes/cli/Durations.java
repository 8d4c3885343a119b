package dev.descartes.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations such as {@code 500ms}, {@code 5s}, {@code 1m30s}, {@code 2h}, and prints them
 * short.
 */
final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException with a message that shows the accepted forms
   */
  static Duration parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      double n = Double.parseDouble(m.group(1));
      long millis =
          Math.round(
              n
                  * switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    default -> 3_600_000;
                  });
      total = total.plusMillis(millis);
      end = m.end();
    }
    if (s.isEmpty() || end != s.length()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 500ms, 5s, 1m30s or 2h");
    }
    return total;
  }

  /** {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 1h02m}. */
  static String format(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /** A clock for the status line: {@code 00:42}, {@code 12:03}, {@code 1:02:03}. */
  static String clock(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 3600
        ? String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
  }

  /** {@code $0.0123}; costs of a dollar or more with cents only. */
  static String cost(double usd) {
    return usd >= 1
        ? String.format(Locale.ROOT, "$%.2f", usd)
        : String.format(Locale.ROOT, "$%.4f", usd);
  }
}
