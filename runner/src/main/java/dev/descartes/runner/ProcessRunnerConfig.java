package dev.descartes.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How a {@link LocalProcessRunner} runs its agents.
 *
 * <p>{@link #defaults()}: inherit the working directory, JSON streaming on, health checks every 30
 * s, no concurrency cap. On top of those: a 5 s graceful-shutdown timeout, an 8 MiB in-memory
 * window per output stream (the first 64 KiB of stdout are always kept, then the newest output; a
 * reader that falls behind is told how much it missed), all windows together within a quarter of
 * the heap, no transcripts on disk, the runner's whole environment inherited, leftover processes of
 * an agent's tree killed when the agent exits, and a JVM shutdown hook that stops every agent.
 * Immutable and thread-safe.
 *
 * @param workingDir working directory for agents without one of their own; empty inherits the JVM's
 * @param enableJsonStreaming parse stdout lines that are JSON objects into events
 * @param enableHealthChecks run the periodic health check
 * @param healthCheckInterval time between two health checks
 * @param maxConcurrentAgents the most agents alive at once; empty for no cap
 * @param shutdownTimeout how long {@link AgentRunner#close()} waits after SIGTERM before SIGKILL
 * @param transcriptDir when set, every byte of every agent's stdout and stderr is written there
 * @param outputWindowBytes in-memory bytes kept per stream for latest-lines readers
 * @param pinnedHeadBytes the first bytes of stdout that are never evicted (session init lines)
 * @param maxLineBytes a longer line is delivered in pieces marked incomplete
 * @param environmentAllowList when present, agents start from only these variables of the runner's
 *     environment (a trailing {@code *} matches a prefix) instead of all of it
 * @param killOrphansOnExit kill what is left of an agent's process tree when the agent exits
 * @param outputDrainTimeout after exit, how long to wait for the output pipes to reach end of file
 * @param shutdownHook stop every agent when the JVM exits
 * @param subreaper on Linux, make the JVM the reaper of orphaned descendants, so that tools that
 *     escape into their own session are still found, killed and reaped
 * @param backends backends added to the built-in and {@link java.util.ServiceLoader} ones; a name
 *     given here wins
 * @param engine how processes are started and their pipes read
 * @param limits resource limits of every agent, for each limit the agent's config leaves unset
 * @param cgroupContainment on Linux, put each agent's process tree in cgroups of its own (when this
 *     machine has writable ones): its membership, kill and resource figures then come from the
 *     kernel, and a watchdog process kills every agent if the JVM dies. Off, or where no cgroup is
 *     writable, agents' trees are tracked through {@code /proc}
 * @param sandbox the sandbox of every agent that names none of its own; empty for none
 * @param budgetUsd the most all agents of this runner (a fleet) may spend together, in US dollars,
 *     by the runner's own accounting of their usage events: past it every live agent is stopped
 *     with {@link AgentOutcome.ErrorKind#BUDGET}, and so is any agent started later
 * @param listener observes spawns, failed spawns and exits (metrics without a daemon); {@link
 *     RunnerListener#NONE} by default
 * @param outputMemoryBudget the bytes every output window of this runner may hold together, shared
 *     equally by the streams of the agents it holds (each stream's window is the smaller of {@code
 *     outputWindowBytes} and its share; see {@code docs/output-delivery.md}); default a quarter of
 *     the maximum heap
 */
public record ProcessRunnerConfig(
    Optional<Path> workingDir,
    boolean enableJsonStreaming,
    boolean enableHealthChecks,
    Duration healthCheckInterval,
    OptionalInt maxConcurrentAgents,
    Duration shutdownTimeout,
    Optional<Path> transcriptDir,
    long outputWindowBytes,
    long pinnedHeadBytes,
    int maxLineBytes,
    Optional<Set<String>> environmentAllowList,
    boolean killOrphansOnExit,
    Duration outputDrainTimeout,
    boolean shutdownHook,
    boolean subreaper,
    List<AgentBackend> backends,
    Engine engine,
    ResourceLimits limits,
    boolean cgroupContainment,
    Optional<AgentSandbox> sandbox,
    OptionalDouble budgetUsd,
    RunnerListener listener,
    long outputMemoryBudget) {

  /** How processes are started and their pipes read. */
  public enum Engine {
    /**
     * {@link #NATIVE} on Linux x86_64 and aarch64 when the JVM grants native access ({@code
     * --enable-native-access}) and the kernel has pidfds, else {@link #JDK} (after one warning on
     * Linux).
     */
    AUTO,
    /** The JDK's {@link ProcessBuilder}: portable, three platform threads per agent. */
    JDK,
    /**
     * {@code posix_spawnp}, pidfds and one {@code epoll} thread through the FFM API: Linux x86_64
     * and aarch64 only, no thread per agent, exact exit statuses. Where it cannot run, building a
     * runner with it throws {@link AgentException.InvalidConfig} naming the reason.
     */
    NATIVE
  }

  /** The smallest {@link #outputMemoryBudget()}. */
  public static final long MIN_OUTPUT_MEMORY_BUDGET = 1L << 20;

  /** The variables an allow-listed environment keeps when none are named. */
  public static final Set<String> DEFAULT_ALLOW_LIST =
      Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR", "LANG", "LC_*", "TZ");

  /**
   * Checks every field.
   *
   * @throws NullPointerException if a required field is null
   * @throws AgentException.InvalidConfig naming the first field out of range
   */
  public ProcessRunnerConfig {
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
    Objects.requireNonNull(maxConcurrentAgents, "maxConcurrentAgents");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(transcriptDir, "transcriptDir");
    Objects.requireNonNull(environmentAllowList, "environmentAllowList");
    Objects.requireNonNull(outputDrainTimeout, "outputDrainTimeout");
    environmentAllowList = environmentAllowList.map(Set::copyOf);
    backends = List.copyOf(backends);
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(limits, "limits");
    sandbox = Objects.requireNonNullElse(sandbox, Optional.empty());
    budgetUsd = Objects.requireNonNullElse(budgetUsd, OptionalDouble.empty());
    if (budgetUsd.isPresent()
        && !(budgetUsd.getAsDouble() > 0 && Double.isFinite(budgetUsd.getAsDouble()))) {
      throw new AgentException.InvalidConfig(
          "budgetUsd",
          "is "
              + budgetUsd.getAsDouble()
              + "; give a positive amount of US dollars such as 5.00, or leave it unset for no budget");
    }
    listener = Objects.requireNonNullElse(listener, RunnerListener.NONE);
    if (healthCheckInterval.isNegative() || healthCheckInterval.isZero()) {
      throw new AgentException.InvalidConfig(
          "healthCheckInterval",
          "must be positive, was "
              + healthCheckInterval
              + "; use enableHealthChecks(false) to turn them off");
    }
    if (maxConcurrentAgents.isPresent() && maxConcurrentAgents.getAsInt() < 1) {
      throw new AgentException.InvalidConfig(
          "maxConcurrentAgents",
          "must be at least 1, was "
              + maxConcurrentAgents.getAsInt()
              + "; leave it unset for no cap");
    }
    if (shutdownTimeout.isNegative()) {
      throw new AgentException.InvalidConfig(
          "shutdownTimeout", "must not be negative, was " + shutdownTimeout);
    }
    if (outputDrainTimeout.isNegative()) {
      throw new AgentException.InvalidConfig(
          "outputDrainTimeout", "must not be negative, was " + outputDrainTimeout);
    }
    if (maxLineBytes < 1024) {
      throw new AgentException.InvalidConfig(
          "maxLineBytes", "must be at least 1024, was " + maxLineBytes);
    }
    if (outputWindowBytes < maxLineBytes) {
      throw new AgentException.InvalidConfig(
          "outputWindowBytes",
          "must be at least maxLineBytes (" + maxLineBytes + "), was " + outputWindowBytes);
    }
    if (pinnedHeadBytes < 0) {
      throw new AgentException.InvalidConfig(
          "pinnedHeadBytes", "must not be negative, was " + pinnedHeadBytes);
    }
    if (outputMemoryBudget < MIN_OUTPUT_MEMORY_BUDGET) {
      throw new AgentException.InvalidConfig(
          "outputMemoryBudget",
          "must be at least "
              + MIN_OUTPUT_MEMORY_BUDGET
              + " bytes (1 MiB), was "
              + outputMemoryBudget);
    }
  }

  /** {@return the defaults, described on this class} */
  public static ProcessRunnerConfig defaults() {
    return builder().build();
  }

  /** {@return a builder that starts from {@link #defaults()}} */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ProcessRunnerConfig}; starts from {@link #defaults()}. Not thread-safe. */
  public static final class Builder {
    private Path workingDir;
    private boolean enableJsonStreaming = true;
    private boolean enableHealthChecks = true;
    private Duration healthCheckInterval = Duration.ofSeconds(30);
    private Integer maxConcurrentAgents;
    private Duration shutdownTimeout = Duration.ofSeconds(5);
    private Path transcriptDir;
    private long outputWindowBytes = 8L << 20;
    private long pinnedHeadBytes = 64L << 10;
    private int maxLineBytes = 8 << 20;
    private Set<String> environmentAllowList;
    private boolean killOrphansOnExit = true;
    private Duration outputDrainTimeout = Duration.ofSeconds(2);
    private boolean shutdownHook = true;
    private boolean subreaper = true;
    private final List<AgentBackend> backends = new ArrayList<>();
    private Engine engine = Engine.AUTO;
    private ResourceLimits limits = ResourceLimits.none();
    private Double budgetUsd;

    /**
     * Sets the most all agents of the runner may spend together (see {@link
     * ProcessRunnerConfig#budgetUsd()}).
     *
     * @param budgetUsd US dollars, above zero
     * @return this builder
     */
    public Builder budgetUsd(double budgetUsd) {
      this.budgetUsd = budgetUsd;
      return this;
    }

    private boolean cgroupContainment = true;
    private AgentSandbox sandbox;
    private RunnerListener listener = RunnerListener.NONE;
    private long outputMemoryBudget =
        Math.max(MIN_OUTPUT_MEMORY_BUDGET, Runtime.getRuntime().maxMemory() / 4);

    private Builder() {}

    /**
     * Sets the default resource limits of every agent (see {@link ProcessRunnerConfig#limits()}).
     *
     * @param limits the limits; {@link ResourceLimits#none()} (the default) for none
     * @return this builder
     */
    public Builder limits(ResourceLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Sets whether agents get cgroups of their own (see {@link
     * ProcessRunnerConfig#cgroupContainment()}); on by default.
     *
     * @param enable whether to use cgroups where this machine has writable ones
     * @return this builder
     */
    public Builder cgroupContainment(boolean enable) {
      this.cgroupContainment = enable;
      return this;
    }

    /**
     * Sets the working directory of agents without one of their own.
     *
     * @param workingDir an existing directory; null (the default) for the JVM's
     * @return this builder
     */
    public Builder workingDir(Path workingDir) {
      this.workingDir = workingDir;
      return this;
    }

    /**
     * Sets whether stdout lines that are JSON objects become {@link AgentEvent.Json} events; on by
     * default.
     *
     * @param enable whether to parse JSON lines
     * @return this builder
     */
    public Builder enableJsonStreaming(boolean enable) {
      this.enableJsonStreaming = enable;
      return this;
    }

    /**
     * Sets whether the periodic health check runs; on by default.
     *
     * @param enable whether to sample every agent's state and usage
     * @return this builder
     */
    public Builder enableHealthChecks(boolean enable) {
      this.enableHealthChecks = enable;
      return this;
    }

    /**
     * Sets the time between two health checks; 30 s by default.
     *
     * @param interval above zero
     * @return this builder
     */
    public Builder healthCheckInterval(Duration interval) {
      this.healthCheckInterval = interval;
      return this;
    }

    /**
     * Caps the agents alive at once; a spawn past the cap waits for a slot.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxConcurrentAgents(int max) {
      this.maxConcurrentAgents = max;
      return this;
    }

    /**
     * Removes the concurrency cap (the default).
     *
     * @return this builder
     */
    public Builder unlimitedAgents() {
      this.maxConcurrentAgents = null;
      return this;
    }

    /**
     * Sets how long {@link AgentRunner#close()} waits after SIGTERM before SIGKILL; 5 s by default.
     *
     * @param timeout zero or more
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Writes every byte of every agent's stdout and stderr to files in {@code dir}.
     *
     * @param dir a writable directory, made if missing; null (the default) for no transcripts
     * @return this builder
     */
    public Builder transcriptDir(Path dir) {
      this.transcriptDir = dir;
      return this;
    }

    /**
     * Sets the in-memory bytes kept per stream for latest-lines readers; 8 MiB by default.
     *
     * @param bytes at least {@link ProcessRunnerConfig#maxLineBytes()}
     * @return this builder
     */
    public Builder outputWindowBytes(long bytes) {
      this.outputWindowBytes = bytes;
      return this;
    }

    /**
     * Sets the first bytes of stdout that are never evicted from the window; 64 KiB by default.
     *
     * @param bytes zero or more
     * @return this builder
     */
    public Builder pinnedHeadBytes(long bytes) {
      this.pinnedHeadBytes = bytes;
      return this;
    }

    /**
     * Sets the longest line delivered whole; a longer one comes in pieces marked incomplete. 8 MiB
     * by default.
     *
     * @param bytes at least 1024
     * @return this builder
     */
    public Builder maxLineBytes(int bytes) {
      this.maxLineBytes = bytes;
      return this;
    }

    /**
     * Agents start from only these variables of the runner's environment (and those their backend
     * needs).
     *
     * @param names variable names; a trailing {@code *} matches a prefix
     * @return this builder
     */
    public Builder environmentAllowList(Collection<String> names) {
      this.environmentAllowList = Set.copyOf(names);
      return this;
    }

    /**
     * Agents start from only {@link #DEFAULT_ALLOW_LIST} of the runner's environment.
     *
     * @return this builder
     */
    public Builder allowListedEnvironment() {
      return environmentAllowList(DEFAULT_ALLOW_LIST);
    }

    /**
     * Agents inherit the runner's whole environment (the default).
     *
     * @return this builder
     */
    public Builder inheritEnvironment() {
      this.environmentAllowList = null;
      return this;
    }

    /**
     * Sets whether what is left of an agent's process tree is killed when the agent exits; on by
     * default.
     *
     * @param kill whether to kill leftover processes
     * @return this builder
     */
    public Builder killOrphansOnExit(boolean kill) {
      this.killOrphansOnExit = kill;
      return this;
    }

    /**
     * Sets how long to wait, after an agent exits, for its output pipes to reach end of file; 2 s
     * by default. The time runs only while nothing progresses: an event listener that is still
     * handling the agent's lines, or an every-line reader still reading them, keeps the wait going.
     *
     * @param timeout zero or more
     * @return this builder
     */
    public Builder outputDrainTimeout(Duration timeout) {
      this.outputDrainTimeout = timeout;
      return this;
    }

    /**
     * Sets whether a JVM shutdown hook stops every agent; on by default.
     *
     * @param install whether to install the hook
     * @return this builder
     */
    public Builder shutdownHook(boolean install) {
      this.shutdownHook = install;
      return this;
    }

    /**
     * Sets whether the JVM becomes the reaper of orphaned descendants on Linux (see {@link
     * ProcessRunnerConfig#subreaper()}); on by default.
     *
     * @param subreaper whether to set {@code PR_SET_CHILD_SUBREAPER}
     * @return this builder
     */
    public Builder subreaper(boolean subreaper) {
      this.subreaper = subreaper;
      return this;
    }

    /**
     * Adds a backend; its name wins over a built-in or service-loaded one of the same name.
     *
     * @param backend the backend
     * @return this builder
     * @throws NullPointerException if {@code backend} is null
     */
    public Builder backend(AgentBackend backend) {
      this.backends.add(Objects.requireNonNull(backend, "backend"));
      return this;
    }

    /**
     * Sets how processes are started and their pipes read; {@link Engine#AUTO} by default.
     *
     * @param engine the engine
     * @return this builder
     * @throws NullPointerException if {@code engine} is null
     */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /**
     * Runs every agent that names no sandbox of its own in {@code sandbox}.
     *
     * @param sandbox the sandbox; null (the default) for none
     * @return this builder
     */
    public Builder sandbox(AgentSandbox sandbox) {
      this.sandbox = sandbox;
      return this;
    }

    /**
     * Sets the observer of spawns, failed spawns and exits; see {@link RunnerListener}.
     *
     * @param listener the listener; {@link RunnerListener#NONE} by default
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(RunnerListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets the bytes every output window of the runner may hold together (default: a quarter of the
     * maximum heap). With many agents, each stream's window shrinks to its equal share.
     *
     * @param bytes at least {@link ProcessRunnerConfig#MIN_OUTPUT_MEMORY_BUDGET}
     * @return this builder
     */
    public Builder outputMemoryBudget(long bytes) {
      this.outputMemoryBudget = bytes;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws AgentException.InvalidConfig naming the first field out of range
     */
    public ProcessRunnerConfig build() {
      return new ProcessRunnerConfig(
          Optional.ofNullable(workingDir),
          enableJsonStreaming,
          enableHealthChecks,
          healthCheckInterval,
          maxConcurrentAgents == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrentAgents),
          shutdownTimeout,
          Optional.ofNullable(transcriptDir),
          outputWindowBytes,
          pinnedHeadBytes,
          maxLineBytes,
          Optional.ofNullable(environmentAllowList),
          killOrphansOnExit,
          outputDrainTimeout,
          shutdownHook,
          subreaper,
          backends,
          engine,
          limits,
          cgroupContainment,
          Optional.ofNullable(sandbox),
          budgetUsd == null ? OptionalDouble.empty() : OptionalDouble.of(budgetUsd),
          listener,
          outputMemoryBudget);
    }
  }
}
