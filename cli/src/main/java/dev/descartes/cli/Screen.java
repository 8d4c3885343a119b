package dev.descartes.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The command's stdout and stderr, shared by every agent's output thread: whole lines only, never
 * interleaved, always UTF-8. On an interactive terminal it also keeps a status line at the bottom:
 * each output line first erases it ({@code \r} and ANSI erase-line), then it is drawn again below.
 *
 * <p>A write to stdout that fails (a closed pipe, a full disk, a closed descriptor) is remembered
 * ({@link #failure()}), reported once to the {@link #onFailure} callback, and every later write to
 * stdout is dropped, so that the agents' output can still be consumed while they are stopped. A
 * failing stderr is dropped silently: there is nowhere left to say so. Thread-safe.
 */
final class Screen {

  private static final byte[] ERASE_LINE = "\r\u001b[2K".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NEWLINE = {'\n'};

  private final OutputStream out;
  private final OutputStream err;
  private final Terminal terminal;
  private Supplier<String> status;
  private boolean statusShown;
  private IOException failure;
  private boolean errFailed;
  private Consumer<IOException> onFailure = e -> {};

  Screen(OutputStream out, OutputStream err, Terminal terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** The process's own stdout and stderr, unbuffered: each line is written when it is complete. */
  static Screen system(Terminal terminal) {
    return new Screen(
        new FileOutputStream(FileDescriptor.out),
        new FileOutputStream(FileDescriptor.err),
        terminal);
  }

  Terminal terminal() {
    return terminal;
  }

  Theme theme() {
    return terminal.theme();
  }

  /** Called once, on the writing thread, when a write to stdout first fails. Must not block. */
  synchronized void onFailure(Consumer<IOException> callback) {
    this.onFailure = callback;
  }

  /** The first write error on stdout, if any. */
  synchronized Optional<IOException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Writes one line (a newline is added) to stdout, or to stderr when {@code toErr}. */
  synchronized void line(boolean toErr, String text) {
    hideStatus();
    write(toErr, (text + "\n").getBytes(StandardCharsets.UTF_8));
    showStatus();
  }

  /** Writes {@code prefix} then the bytes as they are, adding a newline if they lack one. */
  synchronized void bytes(boolean toErr, String prefix, byte[] line) {
    hideStatus();
    if (!prefix.isEmpty()) {
      write(toErr, prefix.getBytes(StandardCharsets.UTF_8));
    }
    write(toErr, line);
    if (line.length == 0 || line[line.length - 1] != '\n') {
      write(toErr, NEWLINE);
    }
    showStatus();
  }

  /** Writes the bytes exactly as they are: nothing added, nothing changed. */
  synchronized void exact(boolean toErr, byte[] bytes) {
    hideStatus();
    write(toErr, bytes);
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
      write(false, ERASE_LINE);
      statusShown = false;
    }
  }

  private void showStatus() {
    if (status != null && failure == null) {
      write(false, status.get().getBytes(StandardCharsets.UTF_8));
      statusShown = true;
    }
  }

  private void write(boolean toErr, byte[] bytes) {
    if (toErr ? errFailed : failure != null) {
      return;
    }
    try {
      (toErr ? err : out).write(bytes);
    } catch (IOException e) {
      if (toErr) {
        errFailed = true;
        return;
      }
      failure = e;
      status = null;
      onFailure.accept(e);
    }
  }
}
