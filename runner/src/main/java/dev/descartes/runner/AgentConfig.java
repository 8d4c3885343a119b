package dev.descartes.runner;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * What to run: one agent's name, backend, task, optional context and system prompt, environment,
 * and optionally an explicit command line and working directory.
 *
 * <p>Validation of what the backend needs happens at {@link AgentRunner#spawn}; {@link
 * Builder#build()} only checks what is wrong for every backend (an empty environment key, a key
 * with {@code '='} or NUL, a value with NUL). {@link #toString()} never shows environment values.
 * Immutable and thread-safe.
 *
 * @param name a human-readable name, used in logs, transcripts and listings
 * @param modelBackend the backend: {@code claude}, {@code opencode}, ..., or {@code <program>-cli}
 * @param task the primary prompt
 * @param context extra context for the task
 * @param systemPrompt the system prompt
 * @param model the model to ask the backend for
 * @param environment variables added to the agent's environment (values are secret)
 * @param command an explicit argv; when not empty it runs exactly that, whatever the backend
 * @param workingDir the agent's working directory; overrides the runner's
 * @param resumeSession a CLI session id to continue (from {@link AgentOutcome#sessionId()} or
 *     {@link AgentEvent.SessionStarted}); each backend maps it to its CLI's resume flag
 * @param multiTurn start the CLI in its multi-turn stdin mode (claude and qwen: {@code
 *     --input-format stream-json}) and talk to it through {@link AgentHandle#session()}; the task,
 *     when not empty, is the first message
 * @param autoApprove let the CLI run its tools without asking (claude {@code
 *     --dangerously-skip-permissions}, opencode {@code --auto}, codex {@code
 *     --dangerously-bypass-approvals-and-sandbox}, gemini and qwen {@code --yolo}); only for
 *     sandboxed agents
 * @param extraArgs arguments added to the backend's command line, before anything it sends on
 *     stdin; each element reaches the CLI unchanged
 * @param limits resource limits of this agent's process tree; each unset one falls back to {@link
 *     ProcessRunnerConfig#limits()}
 * @param workspace a git worktree of its own for the agent (see {@link Worktrees}); empty to work
 *     in {@code workingDir}
 * @param budgetUsd the most the agent may spend, in US dollars: past it the agent is stopped and
 *     its outcome says {@link AgentOutcome.ErrorKind#BUDGET}; claude also gets {@code
 *     --max-budget-usd}
 * @param sandbox run the agent in this sandbox; overrides the runner's {@link
 *     ProcessRunnerConfig#sandbox()}
 * @param container run the agent in a container of this image instead of on the host (see {@link
 *     ContainerSpec}); empty: a local process
 */
public record AgentConfig(
    String name,
    String modelBackend,
    String task,
    Optional<String> context,
    Optional<String> systemPrompt,
    Optional<String> model,
    Map<String, String> environment,
    List<String> command,
    Optional<Path> workingDir,
    Optional<String> resumeSession,
    boolean multiTurn,
    boolean autoApprove,
    List<String> extraArgs,
    ResourceLimits limits,
    Optional<Workspace> workspace,
    OptionalDouble budgetUsd,
    Optional<AgentSandbox> sandbox,
    Optional<ContainerSpec> container) {

  /**
   * Fills unset fields with their empty values and checks the rest.
   *
   * @throws AgentException.InvalidConfig if the environment cannot be passed to a process, the
   *     budget is not a positive amount, or resumeSession is blank
   */
  public AgentConfig {
    name = Objects.requireNonNullElse(name, "");
    modelBackend = Objects.requireNonNullElse(modelBackend, "");
    task = Objects.requireNonNullElse(task, "");
    context = Objects.requireNonNullElse(context, Optional.empty());
    systemPrompt = Objects.requireNonNullElse(systemPrompt, Optional.empty());
    model = Objects.requireNonNullElse(model, Optional.empty());
    Map<String, String> env = Objects.requireNonNullElse(environment, Map.of());
    validateEnvironment(env);
    environment = Map.copyOf(env);
    command = List.copyOf(Objects.requireNonNullElse(command, List.of()));
    workingDir = Objects.requireNonNullElse(workingDir, Optional.empty());
    resumeSession = Objects.requireNonNullElse(resumeSession, Optional.empty());
    extraArgs = List.copyOf(Objects.requireNonNullElse(extraArgs, List.of()));
    limits = Objects.requireNonNullElse(limits, ResourceLimits.none());
    workspace = Objects.requireNonNullElse(workspace, Optional.empty());
    budgetUsd = Objects.requireNonNullElse(budgetUsd, OptionalDouble.empty());
    if (budgetUsd.isPresent()
        && !(budgetUsd.getAsDouble() > 0 && Double.isFinite(budgetUsd.getAsDouble()))) {
      throw new AgentException.InvalidConfig(
          "budgetUsd",
          "is "
              + budgetUsd.getAsDouble()
              + "; give a positive amount of US dollars such as 0.50, or leave it unset for no budget");
    }
    sandbox = Objects.requireNonNullElse(sandbox, Optional.empty());
    container = Objects.requireNonNullElse(container, Optional.empty());
    if (resumeSession.isPresent() && resumeSession.get().isBlank()) {
      throw new AgentException.InvalidConfig(
          "resumeSession",
          "is blank; give the session id the "
              + "CLI reported (AgentOutcome.sessionId() or the SessionStarted event), or leave it unset");
    }
  }

  /** {@return a builder with every field empty} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding this config's values} */
  public Builder toBuilder() {
    Builder b =
        new Builder()
            .name(name)
            .modelBackend(modelBackend)
            .task(task)
            .environment(environment)
            .command(command);
    context.ifPresent(b::context);
    systemPrompt.ifPresent(b::systemPrompt);
    model.ifPresent(b::model);
    workingDir.ifPresent(b::workingDir);
    resumeSession.ifPresent(b::resumeSession);
    workspace.ifPresent(b::workspace);
    budgetUsd.ifPresent(b::budgetUsd);
    sandbox.ifPresent(b::sandbox);
    container.ifPresent(b::container);
    return b.multiTurn(multiTurn).autoApprove(autoApprove).extraArgs(extraArgs).limits(limits);
  }

  /** {@return whether this config names an explicit command line} */
  public boolean hasCommand() {
    return !command.isEmpty();
  }

  /**
   * The prompt the built-in backends send: the task, followed by the context in {@code <context>}
   * tags when there is one.
   *
   * @return the prompt; never null, empty when the task is empty and there is no context
   */
  public String prompt() {
    return context.map(c -> task + "\n\n<context>\n" + c + "\n</context>").orElse(task);
  }

  static void validateEnvironment(Map<String, String> environment) {
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isEmpty()) {
        throw new AgentException.InvalidConfig(
            "environment",
            "a variable has an empty name; remove it or give it a name such as MY_VAR");
      }
      if (key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
        throw new AgentException.InvalidConfig(
            "environment",
            "variable name '"
                + printable(key)
                + "' contains '=' or NUL, which the operating system "
                + "cannot pass; use letters, digits and '_' only");
      }
      if (e.getValue() == null) {
        throw new AgentException.InvalidConfig(
            "environment", "variable " + key + " has no value; pass \"\" for an empty value");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw new AgentException.InvalidConfig(
            "environment",
            "the value of "
                + key
                + " contains a NUL character, which the operating system cannot "
                + "pass; remove it");
      }
    }
  }

  private static String printable(String s) {
    return s.replace("\0", "\\0");
  }

  @Override
  public String toString() {
    return "AgentConfig[name="
        + name
        + ", modelBackend="
        + modelBackend
        + ", task="
        + abbreviate(task)
        + context.map(c -> ", context=" + c.length() + " chars").orElse("")
        + systemPrompt.map(s -> ", systemPrompt=" + s.length() + " chars").orElse("")
        + model.map(m -> ", model=" + m).orElse("")
        + ", environment="
        + environment.keySet().stream()
            .sorted()
            .collect(Collectors.joining(", ", "{", "}")) // names only: values are secret
        + (command.isEmpty() ? "" : ", command=" + command)
        + workingDir.map(d -> ", workingDir=" + d).orElse("")
        + resumeSession.map(r -> ", resumeSession=" + r).orElse("")
        + (multiTurn ? ", multiTurn" : "")
        + (autoApprove ? ", autoApprove" : "")
        + (extraArgs.isEmpty() ? "" : ", extraArgs=" + extraArgs)
        + (limits.isEmpty() ? "" : ", limits=" + limits)
        + workspace.map(w -> ", workspace=worktree of " + w.repository()).orElse("")
        + (budgetUsd.isPresent() ? ", budgetUsd=" + budgetUsd.getAsDouble() : "")
        + sandbox.map(x -> ", sandbox=" + x).orElse("")
        + container.map(c -> ", container=" + c.image()).orElse("")
        + "]";
  }

  private static String abbreviate(String s) {
    return s.length() <= 60
        ? "'" + s + "'"
        : "'" + s.substring(0, 57) + "...' (" + s.length() + " chars)";
  }

  /** Builds an {@link AgentConfig}. Not thread-safe. */
  public static final class Builder {
    private String name = "";
    private String modelBackend = "";
    private String task = "";
    private String context;
    private String systemPrompt;
    private String model;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private List<String> command = List.of();
    private Path workingDir;
    private String resumeSession;
    private boolean multiTurn;
    private boolean autoApprove;
    private List<String> extraArgs = List.of();
    private ResourceLimits limits = ResourceLimits.none();
    private Workspace workspace;
    private Double budgetUsd;
    private AgentSandbox sandbox;
    private ContainerSpec container;

    private Builder() {}

    /**
     * Sets the resource limits of this agent (see {@link AgentConfig#limits()}).
     *
     * @param limits the limits; {@link ResourceLimits#none()} for the runner's
     * @return this builder
     * @throws NullPointerException if {@code limits} is null
     */
    public Builder limits(ResourceLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Sets the agent's name, used in logs, transcripts and listings.
     *
     * @param name the name; a backend needs one, a command without one is named after its program
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the backend that runs the agent (see {@link AgentConfig#modelBackend()}).
     *
     * @param modelBackend {@code claude}, {@code opencode}, ..., or {@code <program>-cli}
     * @return this builder
     */
    public Builder modelBackend(String modelBackend) {
      this.modelBackend = modelBackend;
      return this;
    }

    /**
     * Sets the primary prompt.
     *
     * @param task the prompt; may be empty only for a command or a multi-turn session
     * @return this builder
     */
    public Builder task(String task) {
      this.task = task;
      return this;
    }

    /**
     * Sets extra context, sent after the task in {@code <context>} tags.
     *
     * @param context the context; null for none
     * @return this builder
     */
    public Builder context(String context) {
      this.context = context;
      return this;
    }

    /**
     * Sets the system prompt.
     *
     * @param systemPrompt the system prompt; null for the CLI's own
     * @return this builder
     */
    public Builder systemPrompt(String systemPrompt) {
      this.systemPrompt = systemPrompt;
      return this;
    }

    /**
     * Sets the model to ask the backend for.
     *
     * @param model the model's name as the CLI takes it; null for the CLI's default
     * @return this builder
     */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /**
     * Replaces the environment additions.
     *
     * @param environment variable names to values (values are secret: never logged)
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment.clear();
      this.environment.putAll(environment);
      return this;
    }

    /**
     * Adds one environment variable.
     *
     * @param key the variable's name
     * @param value its value (secret: never logged)
     * @return this builder
     */
    public Builder env(String key, String value) {
      this.environment.put(key, value);
      return this;
    }

    /**
     * Runs exactly this argv (no shell), whatever the backend.
     *
     * @param command the program and its arguments; empty: the backend's command line
     * @return this builder
     */
    public Builder command(List<String> command) {
      this.command = List.copyOf(command);
      return this;
    }

    /**
     * Runs exactly this argv (no shell), whatever the backend.
     *
     * @param command the program and its arguments
     * @return this builder
     */
    public Builder command(String... command) {
      return command(List.of(command));
    }

    /**
     * Sets the agent's working directory; overrides the runner's.
     *
     * @param workingDir an existing directory; null for the runner's
     * @return this builder
     */
    public Builder workingDir(Path workingDir) {
      this.workingDir = workingDir;
      return this;
    }

    /**
     * Continues a CLI session (see {@link AgentConfig#resumeSession()}).
     *
     * @param sessionId the id the CLI reported; null to start a new session
     * @return this builder
     */
    public Builder resumeSession(String sessionId) {
      this.resumeSession = sessionId;
      return this;
    }

    /**
     * Starts a multi-turn session (see {@link AgentConfig#multiTurn()}).
     *
     * @param multiTurn whether to start the CLI in its multi-turn stdin mode
     * @return this builder
     */
    public Builder multiTurn(boolean multiTurn) {
      this.multiTurn = multiTurn;
      return this;
    }

    /**
     * Lets the CLI run tools without asking (see {@link AgentConfig#autoApprove()}).
     *
     * @param autoApprove whether to pass the CLI's flag for it
     * @return this builder
     */
    public Builder autoApprove(boolean autoApprove) {
      this.autoApprove = autoApprove;
      return this;
    }

    /**
     * Sets arguments added to the backend's command line (see {@link AgentConfig#extraArgs()}).
     *
     * @param extraArgs the arguments, each passed unchanged
     * @return this builder
     */
    public Builder extraArgs(List<String> extraArgs) {
      this.extraArgs = List.copyOf(extraArgs);
      return this;
    }

    /**
     * Sets arguments added to the backend's command line (see {@link AgentConfig#extraArgs()}).
     *
     * @param extraArgs the arguments, each passed unchanged
     * @return this builder
     */
    public Builder extraArgs(String... extraArgs) {
      return extraArgs(List.of(extraArgs));
    }

    /**
     * Runs the agent in a container (see {@link AgentConfig#container()}).
     *
     * @param container the container; null to run on the host
     * @return this builder
     */
    public Builder container(ContainerSpec container) {
      this.container = container;
      return this;
    }

    /**
     * Gives the agent a git worktree of its own (see {@link AgentConfig#workspace()}).
     *
     * @param workspace the worktree to make; null to work in the working directory
     * @return this builder
     */
    public Builder workspace(Workspace workspace) {
      this.workspace = workspace;
      return this;
    }

    /**
     * Sets the most the agent may spend (see {@link AgentConfig#budgetUsd()}).
     *
     * @param budgetUsd US dollars, above zero
     * @return this builder
     */
    public Builder budgetUsd(double budgetUsd) {
      this.budgetUsd = budgetUsd;
      return this;
    }

    /**
     * Runs the agent in a sandbox (see {@link AgentConfig#sandbox()}).
     *
     * @param sandbox the sandbox; null for the runner's
     * @return this builder
     */
    public Builder sandbox(AgentSandbox sandbox) {
      this.sandbox = sandbox;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws AgentException.InvalidConfig if an environment entry cannot be passed to a process,
     *     the budget is not a positive amount, or the session id is blank
     */
    public AgentConfig build() {
      return new AgentConfig(
          name,
          modelBackend,
          task,
          Optional.ofNullable(context),
          Optional.ofNullable(systemPrompt),
          Optional.ofNullable(model),
          environment,
          command,
          Optional.ofNullable(workingDir),
          Optional.ofNullable(resumeSession),
          multiTurn,
          autoApprove,
          extraArgs,
          limits,
          Optional.ofNullable(workspace),
          budgetUsd == null ? OptionalDouble.empty() : OptionalDouble.of(budgetUsd),
          Optional.ofNullable(sandbox),
          Optional.ofNullable(container));
    }
  }
}
