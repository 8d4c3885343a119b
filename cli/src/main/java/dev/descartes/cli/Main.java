package dev.descartes.cli;

import dev.descartes.runner.AgentException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of the {@code descartes} command. Bad input of any kind (a flag, a fleet file, an
 * unknown backend, a missing CLI) ends with one line on stderr, {@code descartes: <what and how to
 * fix it>}, and exit code 2, never a stack trace. {@code DESCARTES_DEBUG=1} adds the stack trace of
 * an unexpected error.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code. */
  static int run(String[] args) {
    CommandLine cl = new CommandLine(new DescartesCommand());
    cl.setParameterExceptionHandler((e, a) -> {
      String help = e.getCommandLine().getCommandName();
      String cmd = e.getCommandLine() == cl ? "descartes" : "descartes " + help;
      String message = firstLine(e.getMessage()).replace("option option", "option"); // picocli's wording
      return fail(e.getCommandLine().getErr(), message + " (see '" + cmd + " --help')");
    });
    cl.setExecutionExceptionHandler((e, c, p) -> switch (e) {
      case UsageException u -> fail(c.getErr(), u.getMessage());
      case DaemonException d -> {
        fail(c.getErr(), d.getMessage());
        yield d.exitCode();
      }
      case AgentException a -> fail(c.getErr(), a.getMessage());
      default -> {
        if (System.getenv("DESCARTES_DEBUG") != null) {
          e.printStackTrace(c.getErr());
        }
        c.getErr().println("descartes: unexpected error: " + e + " (DESCARTES_DEBUG=1 shows where)");
        c.getErr().flush();
        yield ExitCodes.FAILED;
      }
    });
    return cl.execute(args);
  }

  private static int fail(PrintWriter err, String message) {
    err.println("descartes: " + firstLine(message));
    err.flush();
    return ExitCodes.USAGE;
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
