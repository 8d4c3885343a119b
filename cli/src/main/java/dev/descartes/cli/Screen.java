package dev.descartes.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The command's stdout and stderr, shared by every agent's output thread: whole lines only, never
 * interleaved, always UTF-8. On an interactive terminal it also keeps a status line at the bottom:
 * each output line first erases it ({@code \r} and ANSI erase-line), then it is drawn again below.
 * Thread-safe.
 */
final class Screen {

  private static final String ERASE_LINE = "\r\u001b[2K";

  private final PrintStream out;
  private final PrintStream err;
  private final Terminal terminal;
  private Supplier<String> status;
  private boolean statusShown;

  Screen(PrintStream out, PrintStream err, Terminal terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** The process's own stdout and stderr, as UTF-8. */
  static Screen system(Terminal terminal) {
    return new Screen(
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8),
        new PrintStream(new FileOutputStream(FileDescriptor.err), false, StandardCharsets.UTF_8),
        terminal);
  }

  Terminal terminal() {
    return terminal;
  }

  Theme theme() {
    return terminal.theme();
  }

  /** Writes one line (a newline is added) to stdout, or to stderr when {@code toErr}. */
  synchronized void line(boolean toErr, String text) {
    hideStatus();
    PrintStream s = toErr ? err : out;
    s.print(text);
    s.print('\n');
    s.flush();
    showStatus();
  }

  /** Writes {@code prefix} then the bytes as they are, adding a newline if they lack one. */
  synchronized void bytes(boolean toErr, String prefix, byte[] line) {
    hideStatus();
    PrintStream s = toErr ? err : out;
    s.print(prefix);
    s.write(line, 0, line.length);
    if (line.length == 0 || line[line.length - 1] != '\n') {
      s.print('\n');
    }
    s.flush();
    showStatus();
  }

  /**
   * Keeps a status line below the output, drawn only on an interactive terminal. {@code source} is
   * asked for its text at every redraw (after each output line, and on {@link #refreshStatus()}),
   * so the line is never stale; it is called under this screen's lock.
   */
  synchronized void status(Supplier<String> source) {
    if (!terminal.interactive()) {
      return;
    }
    status = source;
    refreshStatus();
  }

  /** Draws the status line again (for its clock and spinner). */
  synchronized void refreshStatus() {
    hideStatus();
    showStatus();
  }

  /** Erases the status line for good. */
  synchronized void clearStatus() {
    hideStatus();
    status = null;
  }

  private void hideStatus() {
    if (statusShown) {
      out.print(ERASE_LINE);
      out.flush();
      statusShown = false;
    }
  }

  private void showStatus() {
    if (status != null) {
      out.print(status.get());
      out.flush();
      statusShown = true;
    }
  }
}
