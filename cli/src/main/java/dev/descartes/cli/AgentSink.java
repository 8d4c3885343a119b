package dev.descartes.cli;

/**
 * Where one agent's rendered output goes: the {@link Screen}, each line led by the agent's name in
 * its colour when several agents share the screen (as {@code docker compose} does), or by nothing
 * for a single agent. Thread-safe.
 */
final class AgentSink {

  private final Screen screen;
  private final String prefix;

  private AgentSink(Screen screen, String prefix) {
    this.screen = screen;
    this.prefix = prefix;
  }

  /** Lines without a prefix: the output of a single agent. */
  static AgentSink plain(Screen screen) {
    return new AgentSink(screen, "");
  }

  /** Lines led by {@code name}, padded to {@code width}, in the colour of agent {@code index}. */
  static AgentSink prefixed(Screen screen, String name, int index, int width) {
    String padded = name + " ".repeat(Math.max(0, width - name.length()));
    return new AgentSink(screen, screen.theme().agent(index, padded + " | "));
  }

  Theme theme() {
    return screen.theme();
  }

  /** Each line of {@code text} to stdout, in {@code style}. */
  void line(Style style, String text) {
    emit(false, style, text);
  }

  /** Each line of {@code text} to stderr, in {@code style}. */
  void error(Style style, String text) {
    emit(true, style, text);
  }

  /**
   * The agent's bytes: exactly as written without a prefix; after the prefix, and ended by a
   * newline if they lack one, with it.
   */
  void raw(boolean toErr, byte[] line) {
    if (prefix.isEmpty()) {
      screen.exact(toErr, line);
    } else {
      screen.bytes(toErr, prefix, line);
    }
  }

  private void emit(boolean toErr, Style style, String text) {
    String lines = text.replace("\r\n", "\n").replace('\r', '\n').replaceAll("\n+$", "");
    for (String l : lines.split("\n", -1)) {
      screen.line(toErr, prefix + screen.theme().paint(style, l));
    }
  }
}
