package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.cgroup.AgentCgroup;
import dev.descartes.runner.internal.cgroup.CgroupPlacer;
import dev.descartes.runner.internal.cgroup.CgroupSupport;
import dev.descartes.runner.internal.cgroup.JvmCgroups;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.engine.LaunchRequest;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.engine.SpawnThread;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.sandbox.DeathNamespace;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses how an agent's tree is contained and its kernel limits enforced: its own cgroups where
 * this machine has writable ones (and the runner's config allows), else {@code /proc} tracking with
 * the memory limit as {@code RLIMIT_AS}. A limit that cannot be enforced is refused before anything
 * starts. Stateless; thread-safe.
 */
final class Containment {

  /**
   * How long a spawn waits for bubblewrap to start the agent in its namespace (a loaded machine).
   */
  private static final java.time.Duration AGENT_PID_WAIT = java.time.Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(Containment.class);
  private static final int RLIMIT_AS = 9;

  private Containment() {}

  /**
   * @throws AgentException.InvalidConfig naming the first limit this machine cannot enforce
   */
  static void check(ResourceLimits limits, boolean cgroups) {
    if (!limits.needsKernel()) {
      return;
    }
    CgroupSupport support =
        cgroups && Platform.isLinux()
            ? CgroupSupport.detect()
            : new CgroupSupport(
                CgroupSupport.Mode.NONE,
                Optional.empty(),
                java.util.Set.of(),
                java.util.Map.of(),
                java.util.List.of(cgroups ? "not Linux" : "cgroupContainment is off"));
    boolean usable = cgroups && Platform.isLinux() && JvmCgroups.get().isPresent();
    String why = String.join("; ", support.describe());
    if (limits.cpus().isPresent() && !(usable && support.canLimit("cpu"))) {
      throw new AgentException.InvalidConfig(
          "limits.cpus",
          "this machine offers no writable cgroup cpu"
              + " controller ("
              + why
              + "); run as root or in a delegated cgroup v2, or remove the CPU limit");
    }
    if (limits.maxProcesses().isPresent() && !(usable && support.canLimit("pids"))) {
      throw new AgentException.InvalidConfig(
          "limits.pids",
          "this machine offers no writable cgroup pids"
              + " controller ("
              + why
              + "); run as root or in a delegated cgroup v2, or remove the process limit");
    }
    if (limits.memoryBytes().isPresent()
        && !(usable && support.canLimit("memory"))
        && !Native.available()) {
      throw new AgentException.InvalidConfig(
          "limits.memory",
          "this machine offers no writable cgroup memory"
              + " controller ("
              + why
              + ") and the RLIMIT_AS fallback needs native access"
              + " (--enable-native-access); or remove the memory limit");
    }
  }

  /**
   * A started process and the tree that contains it.
   *
   * @param wrapped whether the process is bubblewrap around the agent (a sandbox, or a PID
   *     namespace that dies with the JVM)
   * @param agentPid the agent's own process: {@code child}'s, or the one bubblewrap runs in a PID
   *     namespace
   */
  record Contained(ChildProcess child, AgentTree tree, boolean wrapped, long agentPid) {}

  /**
   * Starts {@code request} inside the agent's containment: its own cgroup when it gets one, else
   * tracked through {@code /proc} with the memory limit as {@code RLIMIT_AS}. {@code onSpawned}
   * gets the process the moment it exists, before it is placed and its tree is built. On failure
   * nothing is left running.
   */
  static Contained start(
      AgentId id,
      AgentConfig config,
      ResourceLimits limits,
      boolean cgroups,
      boolean sandboxed,
      ProcessEngine engine,
      LaunchRequest request,
      Consumer<ChildProcess> onSpawned)
      throws IOException {
    AgentCgroup group = createGroup(id, config, limits, cgroups);
    // Only the /proc tracking needs it (a contained tree is its cgroup).
    long spawnTicks = group == null && Platform.isLinux() ? ProcFs.uptimeTicks() - 1 : 0;
    Optional<List<String>> inNamespace =
        group == null && !sandboxed
            ? deathNamespace(request.argv(), config, cgroups)
            : Optional.empty();
    boolean wrapped = sandboxed || inNamespace.isPresent();
    LaunchRequest launch =
        inNamespace
            .map(
                argv ->
                    new LaunchRequest(
                        argv,
                        request.environment(),
                        request.workingDir(),
                        request.stdout(),
                        request.stderr()))
            .orElse(request);
    ChildProcess c;
    try {
      // Both from the one long-lived spawn thread: cgroup v1 placement follows the forking thread,
      // and so does bubblewrap's parent-death signal.
      c =
          group != null
              ? CgroupPlacer.spawnInside(group, engine.startsThreads(), () -> engine.start(request))
              : wrapped ? SpawnThread.call(() -> engine.start(launch)) : engine.start(launch);
    } catch (IOException | RuntimeException e) {
      if (group != null) {
        group.close();
      }
      throw e;
    }
    onSpawned.accept(c);
    if (group == null) {
      AgentTree tree = AgentTree.of(c.pid(), spawnTicks, id.toString(), wrapped);
      long agentPid =
          inNamespace.isPresent() ? DeathNamespace.agentPid(c.pid(), AGENT_PID_WAIT) : c.pid();
      if (Platform.isLinux()) {
        applyRlimits(agentPid, limits);
      }
      return new Contained(c, tree, wrapped, agentPid);
    }
    try {
      group.placeAfterStart(c.pid());
    } catch (IOException e) {
      LOG.warn(
          "agent {} ({}): could not move pid {} into {}: {}",
          id,
          config.name(),
          c.pid(),
          group.path(),
          e.toString());
    }
    return new Contained(
        c, new CgroupAgentTree(group, (int) c.pid(), sandboxed), sandboxed, c.pid());
  }

  /**
   * The agent's cgroups, made and limited, or null when it is tracked through {@code /proc}.
   *
   * @throws IOException if its groups cannot be made while a kernel limit needs them
   */
  private static AgentCgroup createGroup(
      AgentId id, AgentConfig config, ResourceLimits limits, boolean cgroups) throws IOException {
    if (!cgroups || !Platform.isLinux()) {
      return null;
    }
    Optional<JvmCgroups> jvm = JvmCgroups.get();
    if (jvm.isEmpty()) {
      return null;
    }
    boolean memoryByRlimit =
        limits.memoryBytes().isPresent() && !jvm.get().support().canLimit("memory");
    ResourceLimits inGroup =
        memoryByRlimit
            ? new ResourceLimits(
                java.util.OptionalLong.empty(),
                limits.cpus(),
                limits.maxProcesses(),
                limits.runtime(),
                limits.outputBytesPerStream())
            : limits;
    try {
      return jvm.get().create(id.toString(), inGroup);
    } catch (IOException | IllegalArgumentException e) {
      if (limits.needsKernel() && !memoryByRlimit) {
        throw new IOException(
            "cannot make the cgroups that enforce its limits: " + e.getMessage(), e);
      }
      LOG.warn(
          "agent {} ({}): cannot make its cgroup ({}); its tree is tracked through /proc",
          id,
          config.name(),
          e.toString());
      return null;
    }
  }

  /**
   * The command line that starts the agent in a PID namespace that dies with this JVM, where no
   * cgroup contains it (and containment is on); empty where containment is off, the agent runs in a
   * container (its runtime owns its lifecycle), or no namespace can be made (one warning says so).
   */
  private static Optional<List<String>> deathNamespace(
      List<String> argv, AgentConfig config, boolean cgroups) {
    if (!cgroups || !Platform.isLinux() || config.container().isPresent()) {
      return Optional.empty();
    }
    String why = JvmCgroups.whyNone();
    return DeathNamespace.wrap(argv, why.isEmpty() ? "no cgroup for this agent" : why);
  }

  /** Where no cgroup enforces the memory limit: {@code RLIMIT_AS} on the started process. */
  private static void applyRlimits(long pid, ResourceLimits limits) {
    if (limits.memoryBytes().isEmpty()) {
      return;
    }
    long bytes = limits.memoryBytes().getAsLong();
    Native.get()
        .ifPresent(
            n -> {
              int err = n.prlimit(pid, RLIMIT_AS, bytes);
              if (err != 0) {
                LOG.warn("cannot set RLIMIT_AS of pid {}: errno {}", pid, err);
              }
            });
  }

  /** Whether the agent's limits need the memory fallback (for the health figures). */
  static boolean memoryByRlimit(ResourceLimits limits) {
    return limits.memoryBytes().isPresent()
        && JvmCgroups.get().map(j -> !j.support().canLimit("memory")).orElse(true);
  }
}
