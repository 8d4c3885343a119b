package dev.descartes.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code descartes} command: its subcommands, {@code --help} and {@code --version}. */
@Command(
    name = "descartes",
    mixinStandardHelpOptions = true,
    versionProvider = DescartesCommand.Version.class,
    subcommands = {
      RunCommand.class,
      BackendsCommand.class,
      DoctorCommand.class,
      ServeCommand.class,
      DaemonCommands.Ps.class,
      DaemonCommands.Start.class,
      DaemonCommands.Logs.class,
      DaemonCommands.Stop.class,
      DaemonCommands.Kill.class,
      DaemonCommands.Send.class,
      DaemonCommands.History.class,
      DescartesCommand.VersionCommand.class,
      CommandLine.HelpCommand.class
    },
    description =
        "Runs AI coding agents (Claude Code, OpenCode, Codex, Gemini CLI, Qwen Code, any CLI) as processes.")
final class DescartesCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code descartes version}: the same as {@code descartes --version}. */
  @Command(
      name = "version",
      description = "Prints the version of descartes and of the Java it runs on.")
  static final class VersionCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      for (String line : new Version().getVersion()) {
        spec.commandLine().getOut().println(line);
      }
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** The version from the build ({@code descartes-version.properties}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in =
          DescartesCommand.class.getResourceAsStream("/descartes-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "descartes "
            + p.getProperty("version", "(development build)")
            + ", Java "
            + Runtime.version()
      };
    }
  }
}
