package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.OutputLine;
import dev.descartes.runner.ProcessRunnerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code descartes backends}: every registered backend, the program it runs, whether that program
 * is installed (and where), and what it says to {@code --version}.
 */
@Command(
    name = "backends",
    mixinStandardHelpOptions = true,
    description = "Lists every backend, whether its CLI is installed, and its version.")
final class BackendsCommand implements Callable<Integer> {

  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(15);
  private static final String[] HEADER = {"BACKEND", "PROGRAM", "INSTALLED", "VERSION", "PATH"};

  @Option(names = "--no-color", description = "No colours, even on a terminal.")
  boolean noColor;

  @Override
  public Integer call() {
    String path = System.getenv("PATH");
    Path here = Path.of("").toAbsolutePath();
    List<String[]> rows = new ArrayList<>();
    try (LocalProcessRunner runner =
            new LocalProcessRunner(
                ProcessRunnerConfig.builder()
                    .enableHealthChecks(false)
                    .shutdownTimeout(Duration.ofSeconds(1))
                    .build());
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<String[]>> futures = new ArrayList<>();
      for (String name : runner.backends()) {
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  String program = Clis.program(name).orElse(name);
                  Optional<Path> found = Clis.find(program, path, here);
                  return new String[] {
                    name,
                    program,
                    found.isPresent() ? "yes" : "no",
                    found
                        .map(p -> version(runner, p))
                        .orElseGet(
                            () -> Clis.installHint(name).map(h -> "install: " + h).orElse("-")),
                    found.map(Path::toString).orElse("-")
                  };
                },
                pool));
      }
      futures.forEach(f -> rows.add(f.join()));
    }
    rows.add(
        new String[] {
          "<program>" + Clis.GENERIC_SUFFIX,
          "<program>",
          "",
          "any other CLI: runs <program> \"<task>\"",
          ""
        });
    Table.printChecklist(noColor, HEADER, rows, 2);
    return ExitCodes.OK;
  }

  /**
   * The first line {@code program --version} prints, run as an agent so that nothing it starts
   * survives.
   */
  private static String version(LocalProcessRunner runner, Path program) {
    try {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name(program.getFileName() + "-version")
                  .command(program.toString(), "--version")
                  .build());
      h.closeStdin();
      if (h.waitFor(VERSION_TIMEOUT).isEmpty()) {
        h.kill();
        h.waitFor();
        return "(no answer to --version in " + Durations.format(VERSION_TIMEOUT) + ")";
      }
      return firstLine(h.stdout())
          .or(() -> firstLine(h.stderr()))
          .orElse("(--version printed nothing)");
    } catch (AgentException e) {
      return "(" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static Optional<String> firstLine(dev.descartes.runner.AgentOutput out) {
    for (Optional<OutputLine> l = out.poll(); l.isPresent(); l = out.poll()) {
      String t = l.get().text().strip();
      if (!t.isEmpty()) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
