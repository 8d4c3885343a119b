package dev.descartes.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the command's output goes to: an interactive terminal (then colours, Unicode symbols and a
 * live status line) or a pipe or file (plain text). {@code NO_COLOR} (present and not empty, as
 * no-color.org says) and {@code --no-color} turn colours off; {@code TERM=dumb} turns off colours
 * and the status line.
 *
 * @param interactive stdin and stdout are a terminal
 * @param width the terminal's width in columns (80 when unknown; no limit when not a terminal)
 * @param theme colours and symbols
 */
record Terminal(boolean interactive, int width, Theme theme) {

  /** Looks at the real console and environment. */
  static Terminal detect(boolean noColorFlag) {
    var console = System.console();
    boolean dumb = "dumb".equals(System.getenv("TERM"));
    boolean tty = console != null && console.isTerminal() && !dumb;
    String noColorVar = System.getenv("NO_COLOR");
    boolean noColor =
        noColorFlag
            || noColorVar != null && !noColorVar.isEmpty(); // no-color.org: present and not empty
    Charset cs =
        Charset.forName(System.getProperty("stdout.encoding", "UTF-8"), StandardCharsets.UTF_8);
    boolean unicode = cs.equals(StandardCharsets.UTF_8);
    return new Terminal(
        tty, tty ? columns() : Integer.MAX_VALUE / 2, Theme.of(tty && !noColor, unicode));
  }

  private static int columns() {
    try {
      String columns = System.getenv("COLUMNS");
      if (columns != null && columns.matches("\\d+")) {
        return Integer.parseInt(columns);
      }
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      if (p.waitFor(2, TimeUnit.SECONDS) && out.matches("\\d+ \\d+")) {
        int w = Integer.parseInt(out.substring(out.indexOf(' ') + 1));
        return w > 0 ? w : 80;
      }
    } catch (IOException | RuntimeException e) {
      // no stty: keep the default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }
}
