package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code descartes run}: one agent from the command line, or a fleet from a file. The exit code is
 * the agent's own (a fleet: 0 only if every agent completed), 128 + the signal after SIGINT, SIGTERM
 * or SIGHUP, 141 or 74 when stdout cannot be written, 2 for bad input.
 */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Runs one agent on TASK, or every agent of a fleet file (-f), and shows their output as it comes.",
        "Every line an agent writes is shown; while the output is slow (a pipe, a file), the agents wait.",
        "Ctrl+C (or SIGTERM, SIGHUP) stops the agents gracefully; a second one kills them."},
    footer = {"", "Examples:",
        "  descartes run \"Explain what this repository does\"",
        "  descartes run --backend opencode --model anthropic/claude-sonnet-4 --cwd ../app \"Fix the failing test\"",
        "  descartes run -f examples/fleet.yaml",
        "", "Exit codes: the agent's own (0 = success) for one agent; for a fleet 0 if every agent completed,"
            + " else 1; 130 after Ctrl+C (143 SIGTERM, 129 SIGHUP); 141 when stdout is a closed pipe,"
            + " 74 when it cannot be written otherwise; 2 for bad input."})
final class RunCommand implements Callable<Integer> {

  @Option(names = {"-f", "--file"}, paramLabel = "FLEET", description = "A fleet file (YAML, or TOML by its .toml ending).")
  Path file;

  @Option(names = {"-b", "--backend"}, paramLabel = "BACKEND",
      description = "The agent CLI: claude (default), opencode, ... or <program>-cli; see 'descartes backends'.")
  String backend;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "The model to ask the backend for.")
  String model;

  @Option(names = "--system-prompt", paramLabel = "TEXT", description = "The system prompt.")
  String systemPrompt;

  @Option(names = "--context-file", paramLabel = "FILE", description = "A file whose text goes with the task as context.")
  Path contextFile;

  @Option(names = "--cwd", paramLabel = "DIR", description = "The agent's working directory (default: this one).")
  Path cwd;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "An environment variable for the agent; repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--name", paramLabel = "NAME", description = "The agent's name (default: the backend's).")
  String name;

  @Option(names = "--max-concurrency", paramLabel = "N",
      description = "With -f: the most agents running at once (overrides the file).")
  Integer maxConcurrency;

  @Option(names = "--stop-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long agents get to exit after Ctrl+C before SIGKILL, e.g. 5s (default: 10s, or the file's).")
  Duration stopTimeout;

  @ArgGroup(exclusive = true)
  Format format = new Format();

  @Option(names = "--prefix",
      description = "With --raw and a fleet: lead each line with the agent's name (default: the bytes as written).")
  boolean prefix;

  @Option(names = "--no-color", description = "No colours, even on a terminal (NO_COLOR does the same).")
  boolean noColor;

  @Parameters(paramLabel = "TASK", arity = "0..*", description = "The task (prompt) for a single agent.")
  List<String> task = List.of();

  /** {@code --json} or {@code --raw}, not both. */
  static final class Format {
    @Option(names = "--json", description = "Print the normalized events as JSON lines.")
    boolean json;

    @Option(names = "--raw", description = "Print the CLI's own output lines as they are.")
    boolean raw;

    Renderer.Mode mode() {
      return json ? Renderer.Mode.JSON : raw ? Renderer.Mode.RAW : Renderer.Mode.HUMAN;
    }
  }

  @Override
  public Integer call() {
    if (prefix && !format.raw) {
      throw new UsageException("--prefix applies to --raw output (the other formats name each agent already)");
    }
    Fleet fleet = file != null ? fromFile() : single();
    Screen screen = Screen.system(Terminal.detect(noColor));
    return new FleetRunner(fleet, format.mode(), prefix, screen).run();
  }

  private Fleet fromFile() {
    if (!task.isEmpty()) {
      throw new UsageException("give a task or a fleet file (-f), not both");
    }
    for (var o : Map.of("--backend", backend != null, "--model", model != null, "--system-prompt", systemPrompt != null,
        "--context-file", contextFile != null, "--cwd", cwd != null, "--env", !env.isEmpty(),
        "--name", name != null).entrySet()) {
      if (o.getValue()) {
        throw new UsageException(o.getKey() + " applies to a single agent; with -f, set it on each agent in "
            + file);
      }
    }
    Fleet f = FleetFile.read(file);
    return new Fleet(f.source(), f.agents(),
        maxConcurrency != null ? OptionalInt.of(maxConcurrency) : f.maxConcurrency(),
        new Fleet.StopPolicy(stopTimeout != null ? stopTimeout : f.stop().timeout(), f.stop().signal(),
            f.stop().failFast()));
  }

  private Fleet single() {
    String prompt = String.join(" ", task).strip();
    if (prompt.isEmpty()) {
      throw new UsageException("nothing to run: give a task (descartes run \"fix the failing test\")"
          + " or a fleet file (descartes run -f fleet.yaml)");
    }
    if (maxConcurrency != null) {
      throw new UsageException("--max-concurrency applies to fleet files (-f)");
    }
    String b = backend != null ? backend : "claude";
    try {
      AgentConfig.Builder a = AgentConfig.builder().name(name != null ? name : b).modelBackend(b).task(prompt)
          .environment(env);
      Optional.ofNullable(model).ifPresent(a::model);
      Optional.ofNullable(systemPrompt).ifPresent(a::systemPrompt);
      if (contextFile != null) {
        a.context(Inputs.readContextFile(contextFile, "--context-file"));
      }
      if (cwd != null) {
        a.workingDir(Inputs.directory(cwd, "--cwd"));
      }
      return new Fleet(Optional.empty(), List.of(a.build()), OptionalInt.empty(),
          new Fleet.StopPolicy(stopTimeout != null ? stopTimeout : Fleet.StopPolicy.DEFAULT_TIMEOUT,
              Optional.empty(), false));
    } catch (AgentException.InvalidConfig e) {
      throw new UsageException("--env: " + e.getMessage());
    }
  }

  /** Reads {@code 5s}, {@code 500ms}, {@code 1m30s}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
