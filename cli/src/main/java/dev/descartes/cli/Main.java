package dev.descartes.cli;

import dev.descartes.runner.AgentException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Entry point of the {@code descartes} command. Bad input of any kind (a flag, a fleet file, an
 * unknown backend, a missing CLI) is an {@link InputError}: one line per problem on stderr, {@code
 * descartes: where: what is wrong; how to fix it}, and a {@code sysexits} exit code ({@link
 * ExitCodes}), never a stack trace. {@code DESCARTES_DEBUG=1} adds the stack trace of an unexpected
 * error (exit 70).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code. */
  static int run(String[] args) {
    CommandLine cl = new CommandLine(new DescartesCommand());
    withExitCodes(cl.getCommandSpec().usageMessage());
    withExitCodes(cl.getSubcommands().get("run").getCommandSpec().usageMessage());
    cl.setParameterExceptionHandler((e, a) -> report(e.getCommandLine().getErr(), Usage.of(e, cl)));
    cl.setExecutionExceptionHandler(
        (e, c, p) ->
            switch (e) {
              case InputError i -> report(c.getErr(), i);
              case DaemonException d -> {
                c.getErr().println("descartes: " + d.getMessage());
                c.getErr().flush();
                yield d.exitCode();
              }
              case AgentException a ->
                  report(
                      c.getErr(),
                      InputError.unavailable(
                          "",
                          a.getMessage(),
                          "check the agent's settings ('descartes backends' shows what is installed)"));
              default -> {
                if (System.getenv("DESCARTES_DEBUG") != null) {
                  e.printStackTrace(c.getErr());
                }
                c.getErr()
                    .println(
                        "descartes: internal error: "
                            + e
                            + "; please report it (DESCARTES_DEBUG=1 shows where)");
                c.getErr().flush();
                yield ExitCodes.SOFTWARE;
              }
            });
    return cl.execute(args);
  }

  /** Ends {@code --help} with the table of exit codes. */
  private static void withExitCodes(CommandLine.Model.UsageMessageSpec usage) {
    List<String> footer = new java.util.ArrayList<>(List.of(usage.footer()));
    if (footer.isEmpty()) {
      footer.add("");
    }
    footer.addAll(List.of(ExitCodes.HELP));
    usage.footer(footer.toArray(String[]::new));
  }

  private static int report(PrintWriter err, InputError e) {
    for (Problem p : e.problems()) {
      err.println("descartes: " + p.line());
    }
    err.flush();
    return e.exitCode();
  }

  /** picocli's complaints about the command line, in the command's words, each with its fix. */
  static final class Usage {

    private Usage() {}

    static InputError of(CommandLine.ParameterException e, CommandLine root) {
      CommandLine c = e.getCommandLine();
      String cmd = c == root ? "descartes" : "descartes " + c.getCommandName();
      String help = "see '" + cmd + " --help'";
      String message = firstLine(e.getMessage());
      if (e instanceof CommandLine.UnmatchedArgumentException u) {
        List<String> unmatched = u.getUnmatched();
        String first = unmatched.isEmpty() ? "" : unmatched.getFirst();
        List<String> suggestions = u.getSuggestions();
        String didYouMean =
            suggestions.isEmpty() ? "" : "did you mean " + String.join(" or ", suggestions) + "? ";
        if (c == root && !first.startsWith("-")) {
          didYouMean =
              Spelling.closest(first, root.getSubcommands().keySet())
                  .map(s -> "did you mean " + s + "? ")
                  .orElse(didYouMean);
          return InputError.usage(
              "",
              "unknown command '" + first + "'",
              didYouMean
                  + "the commands are "
                  + String.join(", ", root.getSubcommands().keySet())
                  + "; see 'descartes --help'");
        }
        if (first.startsWith("-") && c.getCommandName().equals("run")) {
          String task = "descartes run -- " + shellQuote(first);
          return first.matches("--?[A-Za-z][A-Za-z0-9-]*(=.*)?")
              ? InputError.usage(
                  "",
                  "unknown option '" + first + "'",
                  didYouMean + help + "; a task that starts" + " with '-' goes after '--': " + task)
              : InputError.usage(
                  "",
                  "'" + first + "' looks like an option but is not one",
                  "a task that starts" + " with '-' goes after '--': " + task);
        }
        if (first.startsWith("-")) {
          return InputError.usage("", "unknown option '" + first + "'", didYouMean + help);
        }
        return InputError.usage("", "unexpected argument '" + first + "'", help);
      }
      if (e instanceof CommandLine.MutuallyExclusiveArgsException) {
        return InputError.usage(
            "",
            message
                .replaceFirst("^Error: ", "")
                .replace(", ", " and ")
                .replace("are mutually exclusive", "cannot be used together"),
            "choose one");
      }
      ArgSpec arg = e.getArgSpec();
      String flag =
          arg instanceof OptionSpec o
              ? o.longestName()
              : arg != null ? arg.paramLabel() : optionIn(message);
      if (e instanceof CommandLine.MissingParameterException) {
        return InputError.usage(
            flag,
            "needs a value" + (arg != null ? " (" + arg.paramLabel() + ")" : ""),
            "give one right after it, or " + help);
      }
      if (e instanceof CommandLine.OverwrittenOptionException) {
        return InputError.usage(flag, "is given more than once", "give it once");
      }
      if (message.contains("should be in KEY=VALUE format")) {
        return InputError.usage(
            flag,
            "'" + message.replaceFirst(".* but was ", "") + "' is not KEY=VALUE",
            "write it like " + flag + " LOG_LEVEL=debug");
      }
      String detail =
          message.replaceFirst("^Invalid value for option '[^']*'( \\([^)]*\\))?: ", "");
      int fix = detail.indexOf("; ");
      if (fix > 0 && !flag.isEmpty()) {
        return InputError.usage(flag, detail.substring(0, fix), detail.substring(fix + 2));
      }
      return InputError.usage(flag, detail, help);
    }

    /** The option a picocli message names ({@code ... option '--backend' ...}), or empty. */
    private static String optionIn(String message) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("option '([^']+)'").matcher(message);
      return m.find() ? m.group(1) : "";
    }

    private static String shellQuote(String s) {
      return "'" + s.replace("'", "'\\''") + "'";
    }
  }

  static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
