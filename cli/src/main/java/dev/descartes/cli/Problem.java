package dev.descartes.cli;

/**
 * One thing wrong with the user's input, reported as one line: {@code where: what; fix}.
 *
 * @param kind what sort of input it is about, which decides the exit code
 * @param where where it is: {@code fleet.yaml:3:5}, a flag such as {@code --backend}, or empty
 * @param what what is wrong, naming the field or flag and the value when it helps
 * @param fix how to fix it, as a user would type it where possible
 */
record Problem(Kind kind, String where, String what, String fix) {

  /** The sorts of bad input, each with its {@link ExitCodes exit code}. */
  enum Kind {
    /** A flag or its value, a subcommand, the task: anything on the command line. */
    USAGE(ExitCodes.USAGE),
    /** The content of a fleet file (or of another file the input names). */
    DATA(ExitCodes.DATA_ERR),
    /** A file or folder that cannot be opened. */
    NO_INPUT(ExitCodes.NO_INPUT),
    /** A missing program: an agent's CLI or command. */
    UNAVAILABLE(ExitCodes.UNAVAILABLE);

    final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  /** The line the command prints, without the {@code descartes: } in front. */
  String line() {
    return (where.isEmpty() ? "" : where + ": ") + oneLine(what) + "; " + oneLine(fix);
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
