package dev.descartes.runner.internal.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The wording of a failed start, shared by both engines so that a caller sees the same message
 * whichever engine ran: the JDK's own ({@code Cannot run program "..." (in directory "..."): Exec
 * failed, error: 2 (No such file or directory) }, trailing space included), always naming the
 * agent's program.
 */
final class SpawnMessages {

  private static final String PREFIX = "Cannot run program \"";

  private SpawnMessages() {}

  /** The JDK's message for {@code program} failing with {@code errno}. */
  static IOException cannotRun(String program, Path dir, int errno, String description) {
    return new IOException(
        PREFIX
            + program
            + "\" (in directory \""
            + dir
            + "\"): Exec failed, error: "
            + errno
            + " ("
            + description
            + ") ");
  }

  /**
   * {@code e} with {@code launcher} replaced by {@code program} where the JDK named the program it
   * ran (the JDK engine runs {@code setsid program ...}), so the message names the agent's program.
   */
  static IOException naming(IOException e, String launcher, String program) {
    String m = e.getMessage();
    String from = PREFIX + launcher + "\"";
    if (m == null || !m.startsWith(from)) {
      return e;
    }
    IOException renamed =
        new IOException(PREFIX + program + "\"" + m.substring(from.length()), e.getCause());
    renamed.setStackTrace(e.getStackTrace());
    return renamed;
  }
}
