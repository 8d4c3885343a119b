package dev.descartes.cli;

/**
 * The daemon could not be reached, or refused a request: one line for stderr that says what went
 * wrong and how to fix it; the command then exits with {@link ExitCodes#FAILED} (or {@link
 * ExitCodes#USAGE} when the daemon refused the request as bad input).
 */
final class DaemonException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  DaemonException(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
