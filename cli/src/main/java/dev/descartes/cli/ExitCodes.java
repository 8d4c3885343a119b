package dev.descartes.cli;

/** The exit codes of the {@code descartes} command. */
public final class ExitCodes {

  /** Every agent succeeded. */
  public static final int OK = 0;
  /** At least one agent failed (a single run exits with the agent's own code instead). */
  public static final int FAILED = 1;
  /** Bad input: a flag, a fleet file, an unknown backend, a missing CLI. Nothing was started. */
  public static final int USAGE = 2;
  /** Stopped by Ctrl+C (128 + SIGINT), like a shell; SIGTERM gives 143 and SIGHUP 129 the same way. */
  public static final int INTERRUPTED = 130;
  /** stdout was a pipe whose reader went away (128 + SIGPIPE, as a Unix tool killed by it reports). */
  public static final int BROKEN_PIPE = 141;
  /** stdout could not be written for another reason: a full disk, a closed descriptor (EX_IOERR). */
  public static final int IO_ERROR = 74;

  private ExitCodes() {}
}
