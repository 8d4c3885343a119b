package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code descartes run}: one agent from the command line, or a fleet from a file. The exit code is
 * the agent's own (a fleet: 0 only if every agent completed); bad input exits with a {@code
 * sysexits} code ({@link ExitCodes}), and 130/143/129 after a signal.
 */
@Command(
    name = "run",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    synopsisHeading = "",
    customSynopsis = {
      "Usage: descartes run [OPTIONS] TASK... [-- CLI_ARGS...]",
      "       descartes run [OPTIONS] -- TASK [CLI_ARGS...]   (a task that starts with '-')",
      "       descartes run [OPTIONS] -f FLEET",
      ""
    },
    description = {
      "Runs one agent on TASK, or every agent of a fleet file (-f), and shows their output as it comes.",
      "Every line an agent writes is shown; while the output is slow (a pipe, a file), the agents wait.",
      "Words after '--' go to the agent's CLI as extra arguments. Ctrl+C (or SIGTERM, SIGHUP) stops the"
          + " agents gracefully; a second one kills them."
    },
    footer = {
      "",
      "Examples:",
      "  descartes run \"Explain what this repository does\"",
      "  descartes run --backend opencode --cwd ../app \"Fix the failing test\"",
      "  descartes run --auto-approve \"Run the tests\" -- --max-turns 5",
      "  descartes run -- \"-n is a flag of which command?\"",
      "  descartes run -f examples/fleet.yaml",
      ""
    },
    footerHeading = "")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FLEET",
      description = "A fleet file (YAML, or TOML by its .toml ending).")
  Path file;

  @Option(
      names = {"-b", "--backend"},
      paramLabel = "BACKEND",
      description =
          "The agent CLI: claude (default), opencode, codex, gemini, qwen, or <program>-cli.")
  String backend;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description = "The model to ask the backend for.")
  String model;

  @Option(names = "--system-prompt", paramLabel = "TEXT", description = "The system prompt.")
  String systemPrompt;

  @Option(
      names = "--context-file",
      paramLabel = "FILE",
      description = "A file whose text goes with the task as context.")
  Path contextFile;

  @Option(
      names = "--cwd",
      paramLabel = "DIR",
      description = "The agent's working directory (default: this one).")
  Path cwd;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "KEY=VALUE",
      description = "An environment variable for the agent; repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The agent's name (default: the backend's).")
  String name;

  @Option(
      names = "--auto-approve",
      description =
          "Let the CLI run its tools (shell, edits) without asking. Risky: only in a sandbox or a"
              + " throwaway checkout; see docs/agent-backends.md.")
  boolean autoApprove;

  @Option(
      names = "--max-concurrency",
      paramLabel = "N",
      converter = AgentCount.class,
      description = "With -f: the most agents running at once (overrides the file).")
  Integer maxConcurrency;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      converter = StopTimeout.class,
      description =
          "How long agents get to exit after Ctrl+C before SIGKILL, e.g. 5s (default: 10s, or the file's).")
  Duration stopTimeout;

  @Option(
      names = "--budget",
      paramLabel = "USD",
      converter = Budget.class,
      description =
          "The most the agent may spend in US dollars, e.g. 0.50; with -f, the whole fleet (overrides the file).")
  Double budget;

  @Option(
      names = "--restart",
      paramLabel = "POLICY",
      converter = RestartMode.class,
      description = "Restart the agent: never (default), on-failure or always.")
  RestartPolicy.Mode restart;

  @Option(
      names = "--max-restarts",
      paramLabel = "N",
      converter = RestartCount.class,
      description = "With --restart: the most restarts in a row (default: 5).")
  Integer maxRestarts;

  @Option(
      names = "--worktree",
      paramLabel = "REPO",
      arity = "0..1",
      fallbackValue = ".",
      description =
          "Run the agent in a new git worktree of REPO (default: --cwd, or this folder) on a branch of its own.")
  Path worktree;

  @Option(
      names = "--worktree-cleanup",
      paramLabel = "WHEN",
      converter = Cleanup.class,
      description = "With --worktree: keep, remove-if-clean (default) or remove.")
  Workspace.Cleanup worktreeCleanup;

  @Option(
      names = "--runner",
      paramLabel = "RUNNER",
      converter = RunnerName.class,
      description =
          "Where a fleet's agents run: local (default) or kubernetes (the file's kubernetes: section"
              + " says where); overrides the file's runner:. See docs/kubernetes.md.")
  FleetKubernetes.Runner runnerName;

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description =
          "Run the agent in a Podman container of this"
              + " image (on this machine: nothing is pulled); its working directory is mounted. See docs/containers.md.")
  String image;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      converter = MemoryLimit.class,
      description =
          "Memory limit of each agent's whole process tree, e.g. 2g (a fleet file's limits win).")
  Long memory;

  @Option(
      names = "--cpus",
      paramLabel = "CORES",
      converter = CpuLimit.class,
      description = "CPU limit of each agent, in cores, e.g. 1.5.")
  Double cpus;

  @Option(
      names = "--pids",
      paramLabel = "N",
      converter = PidsLimit.class,
      description = "Most processes alive at once in each agent's tree, e.g. 256.")
  Integer pids;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = RuntimeLimit.class,
      description =
          "Runtime limit of each agent, e.g. 30m; past it the agent is stopped and fails.")
  Duration timeout;

  @Option(
      names = "--sandbox",
      description =
          "Run the agent (with -f: every agent without a sandbox of its own)"
              + " in a sandbox: the rest of the filesystem read-only, a new empty HOME, a private loopback; see docs/sandbox.md.")
  boolean sandbox;

  @Option(
      names = "--network",
      paramLabel = "POLICY",
      converter = NetworkPolicy.class,
      description =
          "The sandbox's network (implies --sandbox): none, loopback (default), host, or allow=HOST:PORT,...")
  AgentSandbox.Network network;

  @ArgGroup(exclusive = true)
  Format format = new Format();

  @Option(
      names = "--prefix",
      description =
          "With --raw and a fleet: lead each line with the agent's name (default: the bytes as written).")
  boolean prefix;

  @Option(
      names = "--no-color",
      description = "No colours, even on a terminal (NO_COLOR=1 does the same).")
  boolean noColor;

  @Parameters(
      paramLabel = "TASK",
      arity = "0..*",
      description = "The task (prompt) for a single agent.")
  List<String> words = List.of();

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
      throw InputError.usage(
          "--prefix",
          "applies to --raw output only",
          "add --raw, or leave --prefix out (the other" + " formats name each agent already)");
    }
    Problems problems = new Problems();
    Fleet fleet = withSandbox(file != null ? fromFile(problems) : single());
    // every problem of every agent at once, before the runner (and anything else) starts
    if (fleet.kubernetes().isEmpty()) {
      Preflight.check(fleet, LocalProcessRunner.backends(ProcessRunnerConfig.defaults()), problems);
    } else {
      FleetKubernetes.Settings.provider();
    }
    problems.throwIfAny();
    Screen screen = Screen.system(Terminal.detect(noColor));
    return new FleetRunner(fleet, format.mode(), prefix, screen).run();
  }

  private Fleet fromFile(Problems problems) {
    int separator = wordsBeforeSeparator();
    if (separator >= 0 && words.size() > separator) {
      throw InputError.usage(
          "--",
          "extra CLI arguments apply to a single agent",
          "with -f, set args: on each" + " agent in " + file);
    }
    if (!words.isEmpty()) {
      throw InputError.usage(
          "",
          "a task ("
              + quote(String.join(" ", words))
              + ") and a fleet file (-f) were both"
              + " given",
          "give one: the task for a single agent, or -f for the agents of the file");
    }
    Map<String, Boolean> singleOnly = new LinkedHashMap<>();
    singleOnly.put("--backend", backend != null);
    singleOnly.put("--model", model != null);
    singleOnly.put("--system-prompt", systemPrompt != null);
    singleOnly.put("--context-file", contextFile != null);
    singleOnly.put("--cwd", cwd != null);
    singleOnly.put("--env", !env.isEmpty());
    singleOnly.put("--name", name != null);
    singleOnly.put("--auto-approve", autoApprove);
    singleOnly.put("--restart", restart != null);
    singleOnly.put("--max-restarts", maxRestarts != null);
    singleOnly.put("--worktree", worktree != null);
    singleOnly.put("--worktree-cleanup", worktreeCleanup != null);
    singleOnly.put("--image", image != null);
    for (var o : singleOnly.entrySet()) {
      if (o.getValue()) {
        throw InputError.usage(
            o.getKey(),
            "applies to a single agent",
            "with -f, set it on each agent in "
                + file
                + " (fleet file fields: backend, model, systemPrompt, contextFile, cwd, env, autoApprove, args, budget,"
                + " restart, workspace)");
      }
    }
    Fleet f = FleetFile.read(file, problems, Optional.ofNullable(runnerName));
    ResourceLimits flags = limits();
    List<AgentConfig> agents =
        f.agents().stream()
            .map(a -> flags.isEmpty() ? a : a.toBuilder().limits(a.limits().orElse(flags)).build())
            .toList();
    return f.with(
        agents,
        maxConcurrency != null ? OptionalInt.of(maxConcurrency) : f.maxConcurrency(),
        new Fleet.StopPolicy(
            stopTimeout != null ? stopTimeout : f.stop().timeout(),
            f.stop().signal(),
            f.stop().failFast()),
        budget != null ? OptionalDouble.of(budget) : f.budget());
  }

  private Fleet single() {
    int separator = wordsBeforeSeparator();
    int taskWords =
        separator < 0 ? words.size() : separator == 0 ? Math.min(1, words.size()) : separator;
    String prompt = String.join(" ", words.subList(0, taskWords)).strip();
    List<String> extraArgs = words.subList(taskWords, words.size());
    if (prompt.isEmpty()) {
      throw InputError.usage(
          "",
          "nothing to run",
          "give a task (descartes run \"fix the failing test\")"
              + " or a fleet file (descartes run -f fleet.yaml)");
    }
    if (runnerName == FleetKubernetes.Runner.KUBERNETES) {
      throw InputError.usage(
          "--runner",
          "kubernetes needs a fleet file, whose kubernetes: section says where the" + " agents run",
          "run a fleet file (descartes run -f fleet.yaml --runner kubernetes); see docs/kubernetes.md");
    }
    if (maxConcurrency != null) {
      throw InputError.usage(
          "--max-concurrency",
          "applies to fleet files (-f), and this run has one agent",
          "leave it out, or run a fleet file");
    }
    Map<String, String> places = new LinkedHashMap<>();
    for (var f :
        Map.of(
                "backend",
                "--backend",
                "model",
                "--model",
                "systemPrompt",
                "--system-prompt",
                "name",
                "--name")
            .entrySet()) {
      String value =
          switch (f.getKey()) {
            case "backend" -> backend;
            case "model" -> model;
            case "systemPrompt" -> systemPrompt;
            default -> name;
          };
      if (value != null) {
        if (value.isBlank()) {
          throw InputError.usage(
              f.getValue(), "is empty", "give a value, or leave " + f.getValue() + " out");
        }
        places.put(f.getKey(), f.getValue());
      }
    }
    String b = backend != null ? backend : "claude";
    String agentName = name != null ? name : b;
    if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw InputError.usage(
          "--name",
          "'" + name + "' is not a plain name",
          "use letters, digits, '.', '_' and '-'"
              + " (at most 64, starting with a letter or digit)");
    }
    AgentConfig.Builder a =
        AgentConfig.builder()
            .name(agentName)
            .modelBackend(b)
            .task(prompt)
            .limits(limits())
            .autoApprove(autoApprove)
            .extraArgs(extraArgs);
    if (image != null) {
      if (sandbox || network != null) {
        throw InputError.usage(
            "--image",
            "given with --sandbox or --network, and a container is the agent's" + " isolation",
            "keep one: --image or --sandbox");
      }
      try {
        a.container(ContainerSpec.of(image));
      } catch (AgentException.InvalidConfig e) {
        throw InputError.usage(
            "--image",
            e.getMessage().replaceFirst("^container.image: ", ""),
            "name an image on this machine ('podman images' lists them)");
      }
      places.put("container", "--image");
    }
    for (String k : env.keySet()) {
      if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw InputError.usage(
            "--env",
            "'" + k + "' is not a variable name",
            "use letters, digits and '_', not"
                + " starting with a digit, such as --env LOG_LEVEL=debug");
      }
    }
    try {
      a.environment(env);
    } catch (AgentException.InvalidConfig e) {
      throw InputError.usage(
          "--env",
          e.getMessage().replaceFirst("^environment: ", ""),
          "write it like --env LOG_LEVEL=debug (a name of letters, digits and '_')");
    }
    Optional.ofNullable(model).ifPresent(a::model);
    Optional.ofNullable(systemPrompt).ifPresent(a::systemPrompt);
    if (contextFile != null) {
      places.put("context", "--context-file");
      a.context(
          Inputs.readText(
              contextFile,
              "--context-file",
              "context file",
              Inputs.CONTEXT_FILE_LIMIT,
              "keep the context to what the model needs: split it, or summarize it"));
    }
    if (cwd != null) {
      a.workingDir(Inputs.directory(cwd, "--cwd", "folder"));
    }
    if (budget != null) {
      a.budgetUsd(budget);
      places.put("budget", "--budget");
    }
    if (maxRestarts != null && restart == null) {
      throw InputError.usage(
          "--max-restarts", "applies with --restart", "add --restart on-failure, or leave it out");
    }
    if (worktreeCleanup != null && worktree == null) {
      throw InputError.usage(
          "--worktree-cleanup", "applies with --worktree", "add --worktree, or leave it out");
    }
    if (worktree != null) {
      Path repo = worktree.toString().equals(".") && cwd != null ? cwd : worktree;
      Workspace ws = Workspace.worktree(Inputs.directory(repo, "--worktree", "folder"));
      a.workspace(worktreeCleanup != null ? ws.withCleanup(worktreeCleanup) : ws);
      places.put("workspace", "--worktree");
    }
    RestartPolicy.Builder policy =
        RestartPolicy.builder().mode(restart != null ? restart : RestartPolicy.Mode.NEVER);
    if (maxRestarts != null) {
      policy.maxRestarts(maxRestarts);
    }
    if (!env.isEmpty()) {
      places.put("env", "--env");
    }
    if (!extraArgs.isEmpty()) {
      places.put("args", "--");
    }
    if (autoApprove && Clis.generic(b)) {
      throw InputError.usage(
          "--auto-approve",
          "the " + b + " backend has no auto-approve mode",
          "pass that CLI's"
              + " own flag after '--', or use a backend that has one (claude, opencode, codex, gemini, qwen)");
    }
    return new Fleet(
        Optional.empty(),
        List.of(a.build()),
        OptionalInt.empty(),
        new Fleet.StopPolicy(
            stopTimeout != null ? stopTimeout : Fleet.StopPolicy.DEFAULT_TIMEOUT,
            Optional.empty(),
            false),
        List.of(new Fleet.Origin(Problem.Kind.USAGE, "", places)),
        Optional.empty(),
        agentName,
        OptionalDouble.empty(),
        List.of(policy.build()));
  }

  /**
   * How many task words came before the first {@code --} on the command line, or -1 if there was
   * none: picocli gives the words after it as positional parameters too, and they are the CLI's
   * extra arguments (or, when nothing came before, the task and then those).
   */
  private int wordsBeforeSeparator() {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    int i = all.indexOf(spec.name()) + 1;
    int count = 0;
    for (; i < all.size(); i++) {
      String s = all.get(i);
      if (s.equals("--")) {
        return count;
      }
      if (s.startsWith("-") && s.length() > 1) {
        OptionSpec o = spec.findOption(s.contains("=") ? s.substring(0, s.indexOf('=')) : s);
        if (o != null && !s.contains("=") && o.arity().max() > 0) {
          i++; // the option's value
        }
        continue;
      }
      count++;
    }
    return -1;
  }

  private static String quote(String s) {
    return "'" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "'";
  }

  /** The limits the flags give, as defaults for every agent; a flag left out is no limit. */
  private ResourceLimits limits() {
    ResourceLimits.Builder l = ResourceLimits.builder();
    Optional.ofNullable(memory).ifPresent(l::memoryBytes);
    Optional.ofNullable(cpus).ifPresent(l::cpus);
    Optional.ofNullable(pids).ifPresent(l::maxProcesses);
    Optional.ofNullable(timeout).ifPresent(l::runtime);
    return l.build();
  }

  private static Node value(String text) {
    return new Node.Scalar(
        new Node.Pos("", 0, 0), com.fasterxml.jackson.core.JsonToken.VALUE_STRING, text);
  }

  /**
   * A fleet file's field parser as a flag's converter: its error becomes picocli's, with the fix.
   */
  private static <T> T converted(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (Fields.Bad b) {
      throw new TypeConversionException(b.what + "; " + b.fix);
    }
  }

  /** A duration flag: at most {@code max}, above zero unless {@code zeroAllowed}. */
  private static Duration duration(String value, Duration max, boolean zeroAllowed, String fix) {
    Duration d;
    try {
      d = Durations.parse(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new TypeConversionException("'" + value + "' is not a duration; " + fix);
    }
    if (d.compareTo(max) > 0) {
      throw new TypeConversionException(value + " is too long; " + fix);
    }
    if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
      throw new TypeConversionException(value + " is out of range; " + fix);
    }
    return d;
  }

  /** {@code --memory 2g}. */
  static final class MemoryLimit implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return converted(
          () -> FleetFile.size(value(value), ResourceLimits.MIN_MEMORY_BYTES, "--memory 2g"));
    }
  }

  /**
   * The fleet with {@code --sandbox} and {@code --network} applied to every agent without a
   * sandbox.
   */
  private Fleet withSandbox(Fleet fleet) {
    if (!sandbox && network == null) {
      return fleet;
    }
    AgentSandbox.Builder b = AgentSandbox.builder();
    Optional.ofNullable(network).ifPresent(b::network);
    AgentSandbox s = b.build();
    List<AgentConfig> agents =
        fleet.agents().stream()
            .map(
                a ->
                    a.sandbox().isPresent() || a.container().isPresent()
                        ? a
                        : a.toBuilder().sandbox(s).build())
            .toList();
    return fleet.with(agents, fleet.maxConcurrency(), fleet.stop(), fleet.budget());
  }

  /** A sandbox's network for {@code --network}: none, loopback, host or allow=HOST:PORT,... */
  static final class NetworkPolicy implements ITypeConverter<AgentSandbox.Network> {
    @Override
    public AgentSandbox.Network convert(String value) {
      return converted(() -> FleetSandbox.network(value(value)));
    }
  }

  /** {@code --cpus 1.5}. */
  static final class CpuLimit implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return converted(() -> FleetFile.cpus(value(value)));
    }
  }

  /** {@code --pids 256}. */
  static final class PidsLimit implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return converted(
          () ->
              Fields.integer(
                  value(value),
                  1,
                  4_194_304,
                  "give the most processes alive at once, such as --pids 256"));
    }
  }

  /** {@code --timeout 30m}. */
  static final class RuntimeLimit implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return duration(value, FleetFile.MAX_RUNTIME, false, "write it like 90s, 30m or 2h");
    }
  }

  /** {@code --runner}: local or kubernetes. */
  static final class RunnerName implements ITypeConverter<FleetKubernetes.Runner> {
    @Override
    public FleetKubernetes.Runner convert(String value) {
      return converted(() -> FleetKubernetes.runner(value(value)));
    }
  }

  /** A count of agents for {@code --max-concurrency}: 1 to {@link FleetFile#MAX_AGENTS}. */
  static final class AgentCount implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String fix =
          "give the most agents to run at once, such as --max-concurrency 4 (1 to "
              + FleetFile.MAX_AGENTS
              + "), or leave it out for no cap";
      return converted(() -> Fields.integer(value(value), 1, FleetFile.MAX_AGENTS, fix));
    }
  }

  /** US dollars: {@code 0.50} or {@code $0.50}. */
  static final class Budget implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return converted(() -> FleetExtras.budget(value));
    }
  }

  /** {@code never}, {@code on-failure}, {@code always}. */
  static final class RestartMode implements ITypeConverter<RestartPolicy.Mode> {
    @Override
    public RestartPolicy.Mode convert(String value) {
      return converted(() -> FleetExtras.mode(value));
    }
  }

  /** {@code keep}, {@code remove-if-clean}, {@code remove}. */
  static final class Cleanup implements ITypeConverter<Workspace.Cleanup> {
    @Override
    public Workspace.Cleanup convert(String value) {
      return converted(() -> FleetExtras.cleanup(value));
    }
  }

  /** 0 to 1000 restarts. */
  static final class RestartCount implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return converted(
          () ->
              Fields.integer(
                  value(value),
                  0,
                  1000,
                  "give how many restarts in a row, such as --max-restarts 3"));
    }
  }

  /** {@code 5s}, {@code 500ms}, {@code 1m30s}, up to an hour. */
  static final class StopTimeout implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String fix =
          "write it like 500ms, 5s or 1m30s (at most "
              + Durations.format(FleetFile.MAX_STOP_TIMEOUT)
              + ")";
      return duration(value, FleetFile.MAX_STOP_TIMEOUT, true, fix);
    }
  }
}
