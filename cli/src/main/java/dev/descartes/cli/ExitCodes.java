package dev.descartes.cli;

/**
 * The exit codes of the {@code descartes} command. Bad input follows {@code sysexits.h}, so that it
 * cannot be confused with an agent that failed: a single agent's own exit code is passed on as it
 * is, and a fleet that ran exits 0 or 1. Signals give 128 + the signal's number, as in a shell.
 */
public final class ExitCodes {

  /** Every agent succeeded. */
  public static final int OK = 0;

  /** A fleet ran and at least one agent failed (a single agent exits with its own code instead). */
  public static final int FAILED = 1;

  /**
   * {@code EX_USAGE}: a flag or its value, a subcommand or the task on the command line is wrong.
   * Nothing started.
   */
  public static final int USAGE = 64;

  /**
   * {@code EX_DATAERR}: the content of a fleet file (or of a file a flag names) is wrong. Nothing
   * started.
   */
  public static final int DATA_ERR = 65;

  /** {@code EX_NOINPUT}: a file or folder named by the input cannot be opened. Nothing started. */
  public static final int NO_INPUT = 66;

  /**
   * {@code EX_UNAVAILABLE}: a program the agents need (a CLI, a command) is missing, or cannot
   * start.
   */
  public static final int UNAVAILABLE = 69;

  /** {@code EX_SOFTWARE}: a bug in descartes; {@code DESCARTES_DEBUG=1} shows the stack trace. */
  public static final int SOFTWARE = 70;

  /** {@code EX_IOERR}: writing the output failed (a full disk, say). */
  public static final int IO_ERR = 74;

  /** Stopped by SIGHUP (the terminal went away): 128 + 1. */
  public static final int HANGUP = 129;

  /** Stopped by Ctrl+C (SIGINT): 128 + 2. */
  public static final int INTERRUPTED = 130;

  /** The reader of the output went away (SIGPIPE, a closed pipe): 128 + 13. */
  public static final int BROKEN_PIPE = 141;

  /** Stopped by SIGTERM: 128 + 15. */
  public static final int TERMINATED = 143;

  /** The table printed by {@code --help} and documented in the README. */
  static final String[] HELP = {
    "Exit codes:",
    "  0    success (every agent completed)",
    "  1    a fleet ran and at least one agent failed",
    "  N    one agent (descartes run TASK): the agent's own exit code",
    "  64   usage error: a flag or its value, a subcommand, the task",
    "  65   bad data: the content of a fleet file",
    "  66   cannot open an input: a fleet file, context file or folder",
    "  69   unavailable: an agent's CLI or command is missing or cannot start",
    "  70   internal error in descartes (DESCARTES_DEBUG=1 shows where)",
    "  74   I/O error writing the output",
    "  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl+C), SIGTERM",
    "  141  the output's reader went away (a closed pipe)"
  };

  private ExitCodes() {}
}
