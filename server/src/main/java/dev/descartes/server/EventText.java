package dev.descartes.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The short texts the CLI's text mode and the daemon's events show for an agent's events: the gist
 * of a tool call's input, the summary of a tool's output. Shared by {@code descartes run} and the
 * daemon so that both show the same lines.
 *
 * <p>Thread-safe (stateless).
 */
public final class EventText {

  /** Input fields that say best what a tool call does, in order of preference. */
  private static final List<String> GIST_FIELDS =
      List.of("command", "file_path", "path", "pattern", "url", "query", "prompt", "description");

  private static final int MAX_GIST = 100;

  private EventText() {}

  /**
   * The gist of a tool's input: its command, path, pattern... (the first line of it), or compact
   * JSON, at most 100 characters.
   *
   * @param input the tool call's input
   * @return the gist, empty for an empty input
   */
  public static String gist(JsonNode input) {
    for (String f : GIST_FIELDS) {
      if (input.path(f).isValueNode()) {
        return truncate(firstLine(input.path(f).asText()), MAX_GIST);
      }
    }
    return input.isValueNode()
        ? truncate(input.asText(), MAX_GIST)
        : input.isEmpty() ? "" : truncate(input.toString(), MAX_GIST);
  }

  /**
   * A tool's output in one line: its first line and how many more there are.
   *
   * @param output the tool's output
   * @return the summary, {@code (no output)} for a blank one
   */
  public static String toolOutput(String output) {
    String t = output.strip();
    if (t.isEmpty()) {
      return "(no output)";
    }
    long lines = t.lines().count();
    String first = truncate(t.lines().findFirst().orElse(""), MAX_GIST);
    return lines > 1 ? first + " (+" + (lines - 1) + (lines == 2 ? " line)" : " lines)") : first;
  }

  /**
   * The first line of {@code s}, stripped, with {@code " ..."} when more lines follow.
   *
   * @param s any text
   * @return its first line
   */
  public static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip() + " ...";
  }

  /**
   * {@code s} cut to {@code max} characters, ending with {@code ...} when cut.
   *
   * @param s any text
   * @param max the most characters, at least 4
   * @return {@code s} or its cut
   */
  public static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
