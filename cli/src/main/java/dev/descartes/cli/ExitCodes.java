package dev.descartes.cli;

/** The exit codes of the {@code descartes} command. */
public final class ExitCodes {

  /** Every agent succeeded. */
  public static final int OK = 0;
  /** At least one agent failed (a single run exits with the agent's own code instead). */
  public static final int FAILED = 1;
  /** Bad input: a flag, a fleet file, an unknown backend, a missing CLI. Nothing was started. */
  public static final int USAGE = 2;
  /** Stopped by Ctrl+C (128 + SIGINT), like a shell. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
