package dev.descartes.runner;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Resource limits for one agent's whole process tree (the agent, its tools and everything they
 * start). Each limit is optional; an empty one is no limit.
 *
 * <p>Memory, CPU and process count are enforced by the kernel through a cgroup per agent (cgroup v2
 * where a delegated subtree has the controllers, else cgroup v1), memory falling back to {@code
 * RLIMIT_AS} where no memory controller is writable; the runtime and the output limits are enforced
 * by the runner, which stops the agent with its backend's stop sequence. An agent ended by a limit
 * has {@link AgentStatus#FAILED} and an {@link AgentOutcome} whose {@link AgentOutcome.ErrorKind}
 * names the limit. A limit this machine cannot enforce makes {@link AgentRunner#spawn} throw {@link
 * AgentException.InvalidConfig} naming it: an agent never runs without a limit it was given.
 *
 * <p>Set on {@link AgentConfig.Builder#limits} per agent, and as a default for every agent on
 * {@link ProcessRunnerConfig.Builder#limits}; an agent's own value wins limit by limit ({@link
 * #orElse}). Immutable and thread-safe.
 *
 * @param memoryBytes the most memory the tree may use (cgroup {@code memory.max}); past it the
 *     kernel's OOM killer ends the largest process of the tree
 * @param cpus CPU time as a fraction of cores over each 100 ms ({@code 1.5} = one and a half cores,
 *     cgroup {@code cpu.max}); the agent is slowed, never stopped
 * @param maxProcesses the most processes (and threads) alive in the tree at once (cgroup {@code
 *     pids.max}); a {@code fork} beyond it fails
 * @param runtime wall-clock time from spawn after which the runner stops the agent
 * @param outputBytesPerStream bytes of stdout, and separately of stderr, after which the runner
 *     stops the agent
 */
public record ResourceLimits(
    OptionalLong memoryBytes,
    OptionalDouble cpus,
    OptionalInt maxProcesses,
    Optional<Duration> runtime,
    OptionalLong outputBytesPerStream) {

  private static final ResourceLimits NONE =
      new ResourceLimits(
          OptionalLong.empty(),
          OptionalDouble.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          OptionalLong.empty());

  /** The smallest memory limit accepted: below it not even a shell starts. */
  public static final long MIN_MEMORY_BYTES = 4L << 20;

  /**
   * Checks every limit that is set.
   *
   * @throws NullPointerException if a field is null (use empty for no limit)
   * @throws AgentException.InvalidConfig if a limit is out of range (the message names it)
   */
  public ResourceLimits {
    Objects.requireNonNull(memoryBytes, "memoryBytes");
    Objects.requireNonNull(cpus, "cpus");
    Objects.requireNonNull(maxProcesses, "maxProcesses");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(outputBytesPerStream, "outputBytesPerStream");
    if (memoryBytes.isPresent() && memoryBytes.getAsLong() < MIN_MEMORY_BYTES) {
      throw new AgentException.InvalidConfig(
          "limits.memory",
          "must be at least 4 MiB, was "
              + memoryBytes.getAsLong()
              + " bytes; give it as bytes or with a unit, such as 512m or 2g");
    }
    if (cpus.isPresent() && !(cpus.getAsDouble() >= 0.01 && cpus.getAsDouble() <= 4096)) {
      throw new AgentException.InvalidConfig(
          "limits.cpus",
          "must be between 0.01 and 4096 cores, was "
              + cpus.getAsDouble()
              + "; 0.5 is half a core, 2 two cores");
    }
    if (maxProcesses.isPresent() && maxProcesses.getAsInt() < 1) {
      throw new AgentException.InvalidConfig(
          "limits.pids",
          "must be at least 1, was " + maxProcesses.getAsInt() + "; leave it unset for no limit");
    }
    if (runtime.isPresent() && (runtime.get().isNegative() || runtime.get().isZero())) {
      throw new AgentException.InvalidConfig(
          "limits.timeout",
          "must be positive, was " + runtime.get() + "; leave it unset for no limit");
    }
    if (outputBytesPerStream.isPresent() && outputBytesPerStream.getAsLong() < 1) {
      throw new AgentException.InvalidConfig(
          "limits.output",
          "must be at least 1 byte, was "
              + outputBytesPerStream.getAsLong()
              + "; leave it unset for no limit");
    }
  }

  /** {@return no limit at all} */
  public static ResourceLimits none() {
    return NONE;
  }

  /** {@return a builder with no limit set} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these limits} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.memory = memoryBytes;
    b.cpus = cpus;
    b.pids = maxProcesses;
    b.runtime = runtime;
    b.output = outputBytesPerStream;
    return b;
  }

  /** {@return whether no limit is set} */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * {@return whether a limit that only a cgroup (or an rlimit) can enforce is set: memory, CPU or
   * processes}
   */
  public boolean needsKernel() {
    return memoryBytes.isPresent() || cpus.isPresent() || maxProcesses.isPresent();
  }

  /**
   * Merges these limits over {@code defaults}.
   *
   * @param defaults the limits for each one unset here
   * @return each limit of this one, and where it is unset, that of {@code defaults}
   */
  public ResourceLimits orElse(ResourceLimits defaults) {
    return new ResourceLimits(
        memoryBytes.isPresent() ? memoryBytes : defaults.memoryBytes,
        cpus.isPresent() ? cpus : defaults.cpus,
        maxProcesses.isPresent() ? maxProcesses : defaults.maxProcesses,
        runtime.or(defaults::runtime),
        outputBytesPerStream.isPresent() ? outputBytesPerStream : defaults.outputBytesPerStream);
  }

  /**
   * Parses a size such as {@code 512m}, {@code 2g}, {@code 1.5GiB}, {@code 4096} (bytes): the units
   * k, m, g, t (optionally followed by {@code i}, {@code b} or {@code ib}, case-insensitive) are
   * powers of 1024.
   *
   * @param text the size
   * @return the size in bytes
   * @throws IllegalArgumentException with a message that says what is wrong
   */
  public static long parseSize(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
    int i = 0;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++;
    }
    String number = s.substring(0, i);
    String unit = s.substring(i).trim();
    if (unit.endsWith("ib")) {
      unit = unit.substring(0, unit.length() - 2);
    } else if (unit.endsWith("b") || unit.endsWith("i")) {
      unit = unit.substring(0, unit.length() - 1);
    }
    long factor =
        switch (unit) {
          case "" -> 1L;
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          case "t" -> 1L << 40;
          default -> -1L;
        };
    if (number.isEmpty() || factor < 0) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a size; write bytes or a number with"
              + " a unit, such as 512m, 2g or 1.5GiB");
    }
    try {
      double v = Double.parseDouble(number) * factor;
      if (v >= Long.MAX_VALUE) {
        throw new IllegalArgumentException("'" + text + "' is too large a size");
      }
      return (long) v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a size; write bytes or a number with"
              + " a unit, such as 512m, 2g or 1.5GiB");
    }
  }

  /**
   * Formats a size for people: {@code 2147483648} as {@code 2 GiB}, {@code 134217728} as {@code 128
   * MiB}.
   *
   * @param bytes the size in bytes
   * @return the size in the largest binary unit that keeps it short
   */
  public static String formatSize(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v))
        + " "
        + units[u];
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ResourceLimits[");
    memoryBytes.ifPresent(m -> b.append("memory=").append(formatSize(m)).append(", "));
    cpus.ifPresent(c -> b.append("cpus=").append(c).append(", "));
    maxProcesses.ifPresent(p -> b.append("pids=").append(p).append(", "));
    runtime.ifPresent(r -> b.append("timeout=").append(r).append(", "));
    outputBytesPerStream.ifPresent(o -> b.append("output=").append(formatSize(o)).append(", "));
    if (b.charAt(b.length() - 1) == ' ') {
      b.setLength(b.length() - 2);
    } else {
      b.append("none");
    }
    return b.append(']').toString();
  }

  /** Builds {@link ResourceLimits}; every limit starts unset. Not thread-safe. */
  public static final class Builder {
    private OptionalLong memory = OptionalLong.empty();
    private OptionalDouble cpus = OptionalDouble.empty();
    private OptionalInt pids = OptionalInt.empty();
    private Optional<Duration> runtime = Optional.empty();
    private OptionalLong output = OptionalLong.empty();

    private Builder() {}

    /**
     * Limits the memory of the agent's process tree (see {@link ResourceLimits#memoryBytes()}).
     *
     * @param bytes at least {@link ResourceLimits#MIN_MEMORY_BYTES}
     * @return this builder
     */
    public Builder memoryBytes(long bytes) {
      this.memory = OptionalLong.of(bytes);
      return this;
    }

    /**
     * Limits the CPU time of the agent's process tree (see {@link ResourceLimits#cpus()}).
     *
     * @param cores 0.01 to 4096; 0.5 is half a core
     * @return this builder
     */
    public Builder cpus(double cores) {
      this.cpus = OptionalDouble.of(cores);
      return this;
    }

    /**
     * Limits the processes alive at once in the agent's tree (see {@link
     * ResourceLimits#maxProcesses()}).
     *
     * @param processes at least 1
     * @return this builder
     */
    public Builder maxProcesses(int processes) {
      this.pids = OptionalInt.of(processes);
      return this;
    }

    /**
     * Limits the agent's wall-clock running time (see {@link ResourceLimits#runtime()}).
     *
     * @param runtime above zero
     * @return this builder
     */
    public Builder runtime(Duration runtime) {
      this.runtime = Optional.of(runtime);
      return this;
    }

    /**
     * Limits the bytes the agent may write to stdout, and to stderr (see {@link
     * ResourceLimits#outputBytesPerStream()}).
     *
     * @param bytes at least 1, for each stream
     * @return this builder
     */
    public Builder outputBytesPerStream(long bytes) {
      this.output = OptionalLong.of(bytes);
      return this;
    }

    /**
     * Builds the limits.
     *
     * @return the limits
     * @throws AgentException.InvalidConfig if a limit is out of range
     */
    public ResourceLimits build() {
      return new ResourceLimits(memory, cpus, pids, runtime, output);
    }
  }
}
