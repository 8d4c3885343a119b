package dev.descartes.cli;

import dev.descartes.cli.Node.Entry;
import dev.descartes.cli.Node.ListNode;
import dev.descartes.cli.Node.MapNode;
import dev.descartes.cli.Node.Scalar;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.ResourceLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads a fleet file, YAML ({@code .yaml}, {@code .yml}, or anything else) or TOML ({@code .toml}):
 *
 * <pre>{@code
 * maxConcurrency: 2          # optional: the most agents alive at once
 * stop:                      # optional: how Ctrl+C (or failFast) stops agents
 *   signal: interrupt        #   interrupt | terminate; default: each backend's own sequence
 *   timeout: 10s             #   time to exit before SIGKILL (500ms, 5s, 1m30s...)
 *   failFast: false          #   stop the others as soon as one agent fails
 * agents:                    # named agents, started in this order
 *   reviewer:
 *     backend: claude        # or: command: [./agents/review.sh, --fast]   (or one string, run by sh -c)
 *     task: Review the diff
 *     model: sonnet          # optional, like systemPrompt, context, contextFile, cwd, env
 *     autoApprove: true      # the CLI runs its tools without asking (see docs/agent-backends.md)
 *     args: [--max-turns, 3] # more arguments for the CLI
 *     cwd: ../repo
 *     env: {LOG_LEVEL: debug}
 *     sandbox:               # optional, here or at the top for every agent (see FleetSandbox)
 *     container: localhost/agents:1   # optional: run it in a Podman container (see FleetContainer)
 *       network: allow=api.anthropic.com:443
 * }</pre>
 *
 * Relative paths ({@code cwd}, {@code contextFile}, and a command's program when it contains a
 * {@code /}) are relative to the file's folder, which is also every agent's default working
 * directory. The whole file is read before anything is refused: every problem of every agent is
 * reported at once, each as {@code file:line:column: what is wrong; how to fix it} (see {@link
 * Fields}; how to add a field: docs/cli-errors.md).
 */
final class FleetFile {

  /** The most agents a fleet may cap concurrency at, and the most it may have. */
  static final int MAX_AGENTS = 10_000;

  static final Duration MAX_STOP_TIMEOUT = Duration.ofHours(1);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final java.util.Set<String> AGENT_FIELDS =
      java.util.Set.of(
          "backend",
          "task",
          "model",
          "systemPrompt",
          "context",
          "contextFile",
          "cwd",
          "env",
          "command",
          "autoApprove",
          "args",
          "sandbox",
          "container",
          "budget",
          "restart",
          "workspace");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private FleetFile() {}

  /**
   * The file's contents as a {@link Fleet}: the agents without problems. The problems of the others
   * (and of the fleet's settings) go to {@code problems}, to be reported with those that {@link
   * Preflight} finds; a file that cannot be read or parsed at all throws at once.
   *
   * @throws InputError when the file cannot be read or parsed
   */
  static Fleet read(Path file, Problems problems) {
    return read(file, problems, Optional.empty());
  }

  /**
   * Like {@link #read(Path, Problems)}, with {@code runnerFlag} (from {@code --runner}) instead of
   * the file's {@code runner:} when present.
   */
  static Fleet read(Path file, Problems problems, Optional<FleetKubernetes.Runner> runnerFlag) {
    String source = file.toString();
    String text =
        Inputs.readText(
            file,
            "",
            "fleet file",
            Inputs.FLEET_FILE_LIMIT,
            "split the fleet into several files, and move long texts into context files (contextFile: notes.md)");
    boolean toml = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".toml");
    Node root =
        Tree.parse(text, source, toml)
            .orElseThrow(
                () ->
                    InputError.data(
                        source,
                        "the file is empty",
                        "add an 'agents:' section with at least one agent (see examples/fleet.yaml)"));
    Fields top =
        Fields.of(
                root,
                "",
                "a fleet file",
                "write a mapping with agents: (and maxConcurrency:, stop:);"
                    + " see examples/fleet.yaml",
                problems)
            .orElse(null);
    if (top == null) {
      problems.throwIfAny();
    }
    Path dir = file.toAbsolutePath().normalize().getParent();
    Optional<Integer> max =
        top.integer(
            "maxConcurrency",
            1,
            MAX_AGENTS,
            "give the most agents to run at once, such as maxConcurrency: 4, or leave it out for no cap");
    Fleet.StopPolicy stop = stop(top);
    Optional<Double> budget = FleetExtras.budget(top);
    String fleetName =
        top.text("name", "give the fleet a plain name, such as name: nightly")
            .orElseGet(() -> file.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
    List<dev.descartes.runner.RestartPolicy> restarts = new ArrayList<>();
    ResourceLimits fleetLimits = limits(top);
    Optional<AgentSandbox> sandbox = FleetSandbox.read(top, dir, problems).flatMap(s -> s);
    Optional<FleetKubernetes.Runner> runner =
        FleetKubernetes.runner(top).map(r -> runnerFlag.orElse(r)).or(() -> runnerFlag);
    Optional<FleetKubernetes.Settings> kubernetes =
        FleetKubernetes.read(top, stop.timeout(), problems);
    if (runner.orElse(FleetKubernetes.Runner.LOCAL) == FleetKubernetes.Runner.KUBERNETES
        && kubernetes.isEmpty()
        && !top.has("kubernetes")) {
      problems.add(
          Problem.Kind.DATA,
          runnerFlag.isPresent() ? "--runner" : top.at("runner").toString(),
          "the agents run on Kubernetes, and the file has no kubernetes: section",
          "add kubernetes: with namespace: and image: below it (see docs/kubernetes.md)");
    }
    List<AgentConfig> agents = new ArrayList<>();
    List<Fleet.Origin> origins = new ArrayList<>();
    Optional<Node> agentsNode = top.node("agents");
    top.done();
    if (agentsNode.isEmpty()) {
      problems.add(
          Problem.Kind.DATA,
          source,
          "no agents",
          "add an 'agents:' section with at least one named" + " agent (see examples/fleet.yaml)");
    } else if (!(agentsNode.get() instanceof MapNode m) || m.entries().isEmpty()) {
      problems.add(
          Problem.Kind.DATA,
          agentsNode.get().at().toString(),
          "agents is "
              + (agentsNode.get() instanceof MapNode
                  ? "empty"
                  : agentsNode.get().kind() + ", not a mapping of named agents"),
          "write each agent under"
              + " agents: as 'name:' with its settings indented below (see examples/fleet.yaml)");
    } else if (m.entries().size() > MAX_AGENTS) {
      problems.add(
          Problem.Kind.DATA,
          m.at().toString(),
          "agents has "
              + m.entries().size()
              + " agents, more"
              + " than the "
              + MAX_AGENTS
              + " one run may have",
          "split the fleet into several files");
    } else {
      List<Map.Entry<String, Entry>> entries = List.copyOf(m.entries().entrySet());
      for (int i = 0; i < entries.size(); i++) {
        Map.Entry<String, Entry> e = entries.get(i);
        boolean strayFieldsFollow = i + 1 < entries.size() && stray(entries.get(i + 1));
        agent(e.getKey(), e.getValue(), dir, sandbox, strayFieldsFollow, fleetLimits, problems)
            .ifPresent(
                a -> {
                  agents.add(a.config());
                  origins.add(a.origin());
                  restarts.add(a.restart());
                });
      }
    }
    return new Fleet(
        Optional.of(source),
        agents,
        max.map(OptionalInt::of).orElse(OptionalInt.empty()),
        stop,
        origins,
        runner.orElse(FleetKubernetes.Runner.LOCAL) == FleetKubernetes.Runner.KUBERNETES
            ? kubernetes
            : Optional.empty(),
        fleetName,
        budget.map(java.util.OptionalDouble::of).orElse(java.util.OptionalDouble.empty()),
        restarts);
  }

  private static Fleet.StopPolicy stop(Fields top) {
    Fleet.StopPolicy d = Fleet.StopPolicy.defaults();
    Optional<Fields> s =
        top.map(
            "stop", "stop", "write stop: with signal:, timeout: and failFast: indented below it");
    if (s.isEmpty()) {
      return d;
    }
    Fields f = s.get();
    Optional<AgentSignal> signal = f.get("signal", FleetFile::signal);
    Duration timeout = f.duration("timeout", Duration.ZERO, MAX_STOP_TIMEOUT).orElse(d.timeout());
    boolean failFast = f.bool("failFast").orElse(false);
    f.done();
    return new Fleet.StopPolicy(timeout, signal, failFast);
  }

  /**
   * A {@code limits:} mapping (memory, cpus, pids, timeout, output) under {@code parent}; none when
   * absent. A wrong value is a problem, and that limit is then left out.
   */
  private static ResourceLimits limits(Fields parent) {
    Optional<Fields> l =
        parent.map(
            "limits",
            "limits",
            "write limits: with memory:, cpus:, pids:, timeout: and"
                + " output: indented below it, such as limits: {memory: 2g, cpus: 1.5}");
    if (l.isEmpty()) {
      return ResourceLimits.none();
    }
    Fields f = l.get();
    ResourceLimits.Builder b = ResourceLimits.builder();
    f.get("memory", n -> size(n, ResourceLimits.MIN_MEMORY_BYTES, "memory: 2g"))
        .ifPresent(b::memoryBytes);
    f.get("cpus", FleetFile::cpus).ifPresent(b::cpus);
    f.integer("pids", 1, 4_194_304, "give the most processes alive at once, such as pids: 256")
        .ifPresent(b::maxProcesses);
    f.duration("timeout", Duration.ofMillis(1), MAX_RUNTIME).ifPresent(b::runtime);
    f.get("output", n -> size(n, 1, "output: 100m")).ifPresent(b::outputBytesPerStream);
    f.done();
    return b.build();
  }

  /** The most {@code limits.timeout} a fleet may give. */
  static final Duration MAX_RUNTIME = Duration.ofDays(365);

  /** A size such as {@code 512m}, {@code 2g} or a number of bytes, at least {@code min}. */
  static long size(Node n, long min, String example) {
    String fix =
        "write it like 512m, 2g or 1.5GiB (units k, m, g, t are powers of 1024), such as "
            + example;
    String t = Fields.text(n, fix);
    long bytes;
    try {
      bytes = ResourceLimits.parseSize(t);
    } catch (IllegalArgumentException e) {
      throw new Fields.Bad("'" + t + "' is not a size", fix);
    }
    if (bytes < min) {
      throw new Fields.Bad(
          t + " is too small: the least is " + ResourceLimits.formatSize(min), fix);
    }
    return bytes;
  }

  /** A number of cores such as {@code 1.5}, from 0.01 to 4096. */
  static double cpus(Node n) {
    String fix = "give the cores the agent may use, such as cpus: 1.5 or cpus: 0.5 (0.01 to 4096)";
    String t = Fields.text(n, fix);
    double c;
    try {
      c = Double.parseDouble(t.strip());
    } catch (NumberFormatException e) {
      throw new Fields.Bad("'" + t + "' is not a number of cores", fix);
    }
    if (!(c >= 0.01 && c <= 4096)) {
      throw new Fields.Bad(t + " is out of range", fix);
    }
    return c;
  }

  private static AgentSignal signal(Node n) {
    String fix =
        "use interrupt (SIGINT) or terminate (SIGTERM), or leave it out for each backend's own sequence";
    String t = Fields.text(n, fix);
    return switch (t.strip().toUpperCase(Locale.ROOT).replaceFirst("^SIG", "")) {
      case "INT", "INTERRUPT" -> AgentSignal.INTERRUPT;
      case "TERM", "TERMINATE" -> AgentSignal.TERMINATE;
      default -> throw new Fields.Bad("'" + t + "' is not a stop signal", fix);
    };
  }

  private record Agent(
      AgentConfig config, Fleet.Origin origin, dev.descartes.runner.RestartPolicy restart) {}

  /** An agent's field that stands where an agent's name goes (indented one level too little). */
  private static boolean stray(Map.Entry<String, Entry> e) {
    return e.getValue().value() instanceof Scalar && AGENT_FIELDS.contains(e.getKey());
  }

  /**
   * @param strayFieldsFollow the next entry is one of this agent's fields, indented as an agent: a
   *     missing field is then reported there, not here
   */
  private static Optional<Agent> agent(
      String name,
      Entry entry,
      Path dir,
      Optional<AgentSandbox> fleetSandbox,
      boolean strayFieldsFollow,
      ResourceLimits fleetLimits,
      Problems problems) {
    String at = entry.keyAt().toString();
    int before = problems.size();
    if (!NAME.matcher(name).matches()) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "the agent name '" + name.replaceAll("\\p{Cntrl}", "?") + "' is not a plain name",
          "use letters, digits, '.', '_' and '-' (at most 64, starting with a letter"
              + " or digit), such as "
              + suggestName(name));
    }
    if (stray(Map.entry(name, entry))) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "'" + name + ":' stands where an agent's name goes, but it is an" + " agent's field",
          "indent it under the agent it belongs to, like the agent's other fields");
      return Optional.empty();
    }
    Optional<Fields> parsed =
        Fields.of(
            entry.value(),
            "agents." + name,
            "agent '" + name + "'",
            "give agent '"
                + name
                + "' its settings indented below its name, such as backend: claude and task: ...",
            problems);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Fields a = parsed.get();
    Optional<String> backend =
        a.text(
            "backend",
            "name a backend, such as backend: claude ('descartes backends'"
                + " lists them), or give a command: instead");
    Optional<List<String>> command = a.get("command", FleetFile::command);
    Optional<String> task = a.text("task", "give the prompt, such as task: Fix the failing test");
    Optional<String> model =
        a.text("model", "name a model the backend knows, such as model: sonnet, or leave it out");
    Optional<String> systemPrompt =
        a.text("systemPrompt", "give the system prompt's text, or leave it out");
    Optional<String> context = a.text("context", "give the context's text, or leave it out");
    Optional<String> contextFile =
        a.text("contextFile", "name a file, relative to the fleet file's folder")
            .flatMap(f -> readContext(a, dir.resolve(f), problems));
    Optional<Path> cwd =
        a.text("cwd", "name a folder, relative to the fleet file's folder, or leave it out")
            .flatMap(
                c -> {
                  try {
                    return Optional.of(
                        Inputs.directory(dir.resolve(c), a.at("cwd").toString(), "cwd"));
                  } catch (InputError e) {
                    problems.add(e);
                    return Optional.empty();
                  }
                });
    Optional<Map<String, String>> env =
        a.textMap(
                "env",
                "write env: as a mapping of names to values, such as" + " env: {LOG_LEVEL: debug}")
            .flatMap(e -> envNames(a, e, problems));
    Optional<Boolean> autoApprove = a.bool("autoApprove");
    Optional<List<String>> args =
        a.texts("args", "write args: as a list of arguments, such as args: [--max-turns, \"3\"]");
    Optional<Double> budget = FleetExtras.budget(a);
    Optional<dev.descartes.runner.RestartPolicy> restart = FleetExtras.restart(a);
    Optional<dev.descartes.runner.Workspace> workspace =
        FleetExtras.workspace(a, dir, cwd.orElse(dir));
    ResourceLimits limits = limits(a);
    Optional<AgentSandbox> sandbox = FleetSandbox.read(a, dir, problems).orElse(fleetSandbox);
    Optional<ContainerSpec> container = FleetContainer.read(a, dir, problems);
    if (container.isPresent() && a.has("sandbox")) {
      a.problem(
          "sandbox",
          Problem.Kind.DATA,
          "given with container:, and a container is the agent's isolation",
          "keep one: container: (with network: none and its mounts) or sandbox:");
    }
    int beforeDone = problems.size();
    a.done();
    // a misspelt field (reported by done()) or a field indented too little explains a missing one
    boolean explained = strayFieldsFollow || problems.size() > beforeDone;

    boolean hasBackend = a.has("backend");
    boolean hasCommand = a.has("command");
    boolean incomplete = hasBackend == hasCommand || hasBackend && !a.has("task");
    if (hasBackend && hasCommand) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "agent '" + name + "' has both backend: and command:",
          "keep one: a command runs as it is, a backend runs its CLI on the task");
    } else if (!hasBackend && !hasCommand && !explained) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "agent '" + name + "' has neither backend: nor command:",
          "add backend: claude (or another, see 'descartes backends') and a task:, or a command:");
    } else if (hasBackend && !a.has("task") && !explained) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "agent '" + name + "' has no task:",
          "add task: with the prompt for its " + backend.orElse("backend's") + " agent");
    }
    if (a.has("context") && a.has("contextFile")) {
      a.problem(
          "contextFile",
          Problem.Kind.DATA,
          "given with context:",
          "keep one of context: and contextFile:");
    }
    if (hasCommand && !hasBackend) {
      for (String f :
          List.of("model", "systemPrompt", "context", "contextFile", "autoApprove", "args")) {
        if (a.has(f)) {
          a.problem(
              f,
              Problem.Kind.DATA,
              "applies to a backend's CLI, and this agent runs a command:",
              "remove it"
                  + (f.equals("args") ? ", or add the arguments to the command" : "")
                  + ", or use backend: instead of command:");
        }
      }
    }
    if (autoApprove.orElse(false) && backend.filter(Clis::generic).isPresent()) {
      a.problem(
          "autoApprove",
          Problem.Kind.DATA,
          "the " + backend.get() + " backend has no auto-approve mode",
          "pass that CLI's own flag with args:, or use a backend that has one (claude, opencode, codex, gemini, qwen)");
    }
    if (problems.size() > before || incomplete) {
      return Optional.empty();
    }
    AgentConfig.Builder b = AgentConfig.builder().name(name);
    env.ifPresent(b::environment);
    command.ifPresentOrElse(
        c -> {
          b.command(program(c, dir));
          task.ifPresent(t -> b.env("DESCARTES_TASK", t));
        },
        () -> b.modelBackend(backend.orElseThrow()).task(task.orElseThrow()));
    model.ifPresent(b::model);
    systemPrompt.ifPresent(b::systemPrompt);
    context.or(() -> contextFile).ifPresent(b::context);
    b.workingDir(cwd.orElse(dir));
    autoApprove.ifPresent(b::autoApprove);
    args.ifPresent(b::extraArgs);
    budget.ifPresent(b::budgetUsd);
    workspace.ifPresent(b::workspace);
    b.limits(limits.orElse(fleetLimits));
    container.ifPresentOrElse(b::container, () -> sandbox.ifPresent(b::sandbox));
    Map<String, String> places = new LinkedHashMap<>();
    for (String f : a.node().entries().keySet()) {
      places.put(f, a.at(f).toString());
    }
    try {
      return Optional.of(
          new Agent(
              b.build(),
              new Fleet.Origin(Problem.Kind.DATA, at, places),
              restart.orElse(dev.descartes.runner.RestartPolicy.NEVER)));
    } catch (AgentException.InvalidConfig e) {
      problems.add(
          Problem.Kind.DATA,
          at,
          "agent '" + name + "': " + e.getMessage(),
          "fix the agent's settings");
      return Optional.empty();
    }
  }

  private static Optional<String> readContext(Fields a, Path file, Problems problems) {
    try {
      return Optional.of(
          Inputs.readText(
              file,
              a.at("contextFile").toString(),
              "context file",
              Inputs.CONTEXT_FILE_LIMIT,
              "keep the context to what the model needs: split it, or summarize it"));
    } catch (InputError e) {
      problems.add(e);
      return Optional.empty();
    }
  }

  private static Optional<Map<String, String>> envNames(
      Fields a, Map<String, String> env, Problems problems) {
    int before = problems.size();
    for (Map.Entry<String, Entry> e :
        ((MapNode) a.node("env").orElseThrow()).entries().entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        problems.add(
            Problem.Kind.DATA,
            e.getValue().keyAt().toString(),
            a.name("env")
                + ": '"
                + e.getKey().replaceAll("\\p{Cntrl}", "?")
                + "' is not a variable name",
            "use letters, digits and '_', not starting with a digit, such as LOG_LEVEL");
      }
    }
    return problems.size() > before ? Optional.empty() : Optional.of(env);
  }

  /** A list of arguments, program first (no shell), or one string run by {@code /bin/sh -c}. */
  private static List<String> command(Node n) {
    String fix =
        "give a list of arguments, program first, such as command: [./agent.sh, --fast],"
            + " or one line for sh -c, such as command: make test";
    if (n instanceof Scalar s && !s.isNull()) {
      if (s.text().isBlank()) {
        throw new Fields.Bad("is empty", fix);
      }
      return List.of("/bin/sh", "-c", s.text());
    }
    if (n instanceof ListNode l) {
      List<String> argv = new ArrayList<>();
      for (Node item : l.items()) {
        if (!(item instanceof Scalar s) || s.isNull()) {
          throw new Fields.Bad(
              "argument " + (argv.size() + 1) + " is " + item.kind() + ", not a text", fix);
        }
        argv.add(s.text());
      }
      if (argv.isEmpty()) {
        throw new Fields.Bad("is an empty list", fix);
      }
      if (argv.getFirst().isBlank()) {
        throw new Fields.Bad("the program (its first argument) is empty", fix);
      }
      return argv;
    }
    throw new Fields.Bad("is " + n.kind(), fix);
  }

  /** The command with a relative program path resolved against the fleet file's folder. */
  private static List<String> program(List<String> command, Path dir) {
    String program = command.getFirst();
    if (program.contains("/") && !Path.of(program).isAbsolute()) {
      List<String> argv = new ArrayList<>(command);
      argv.set(0, dir.resolve(program).normalize().toString());
      return argv;
    }
    return command;
  }

  private static String suggestName(String name) {
    String s = name.strip().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-._]+", "");
    s = s.length() > 64 ? s.substring(0, 64) : s;
    return s.isEmpty() ? "agent-1" : s;
  }
}
