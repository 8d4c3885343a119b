package dev.descartes.cli;

import java.util.List;

/**
 * How output looks: ANSI colours or none, Unicode symbols or ASCII ones, and the colours that tell
 * agents apart (as {@code docker compose} gives each service its own).
 *
 * @param color whether to emit ANSI colour codes
 * @param ok the symbol for success
 * @param fail the symbol for failure
 * @param stop the symbol for a stopped agent
 * @param call the symbol for a tool call
 * @param result the symbol for a tool's result
 * @param info the symbol for a notice
 * @param sep what separates the parts of the status line
 * @param spinner the frames of the status line's spinner
 */
record Theme(
    boolean color,
    String ok,
    String fail,
    String stop,
    String call,
    String result,
    String info,
    String sep,
    List<String> spinner) {

  /** Agent colours: cyan, yellow, green, magenta, blue, then their bright variants. Never red. */
  private static final List<String> AGENT_COLORS =
      List.of("36", "33", "32", "35", "34", "96", "93", "92", "95", "94");

  static Theme of(boolean color, boolean unicode) {
    return unicode
        ? new Theme(
            color,
            "✓",
            "✗",
            "■",
            "→",
            "⎿",
            "●",
            " · ",
            List.of("⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"))
        : new Theme(color, "ok", "x", "#", "->", "<-", "*", " | ", List.of("|", "/", "-", "\\"));
  }

  /** {@code text} in {@code style}'s colour, or as it is without colour. */
  String paint(Style style, String text) {
    return sgr(style.sgr(), text);
  }

  /** {@code text} in the colour of the agent at {@code index}. */
  String agent(int index, String text) {
    return sgr(AGENT_COLORS.get(index % AGENT_COLORS.size()), text);
  }

  String bold(String text) {
    return sgr("1", text);
  }

  private String sgr(String params, String text) {
    return !color || params.isEmpty() || text.isEmpty()
        ? text
        : "\u001b[" + params + "m" + text + "\u001b[0m";
  }
}
