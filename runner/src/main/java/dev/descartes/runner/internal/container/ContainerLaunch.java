package dev.descartes.runner.internal.container;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.ContainerSupport;
import dev.descartes.runner.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine command line that runs one agent in a container, and the cleanup that removes that
 * container. The engine's client stays in the foreground ({@code run -i}) as the agent's local
 * process, so its stdio, exit status and signals (forwarded by the engine's signal proxy) are the
 * agent's; {@code --init} puts a small init as the container's pid 1, which passes SIGINT and
 * SIGTERM on to the agent (a pid 1 without handlers would ignore them). Environment variables go by
 * name only ({@code --env NAME}): the engine reads the values from its own environment, so no value
 * appears on any command line. Immutable and thread-safe.
 */
public final class ContainerLaunch {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerLaunch.class);

  /** Label keys on every container the runner starts. */
  public static final String LABEL_ID = "dev.descartes.agent-id";

  public static final String LABEL_NAME = "dev.descartes.agent-name";

  private final ContainerSupport support;
  private final String name;

  private ContainerLaunch(ContainerSupport support, String name) {
    this.support = support;
    this.name = name;
  }

  /** A launch on {@code support} without checking the engine or the image: for tests of argv. */
  static ContainerLaunch unchecked(ContainerSupport support, AgentId id) {
    return new ContainerLaunch(support, "descartes-" + id);
  }

  /**
   * Checks the engine and the image, for the agent {@code id}.
   *
   * @throws AgentException.SpawnFailed naming what is missing and how to get it
   */
  public static ContainerLaunch prepare(ContainerSpec spec, AgentId id) {
    ContainerSupport support = ContainerEngines.cached();
    if (!support.available()) {
      throw new AgentException.SpawnFailed(
          support.kind(),
          "cannot run the agent in a container: " + String.join("; ", support.problems()));
    }
    ContainerLaunch launch = new ContainerLaunch(support, "descartes-" + id);
    List<String> check = launch.engine();
    check.addAll(
        support.kind().equals("podman")
            ? List.of("image", "exists", spec.image())
            : List.of("image", "inspect", "--format", "{{.Id}}", spec.image()));
    ContainerEngines.Result r = ContainerEngines.run(check);
    if (r.code() != 0) {
      throw new AgentException.SpawnFailed(
          support.kind(),
          "image '"
              + spec.image()
              + "' is not on this "
              + "machine, and the runner never pulls; build or load it first ("
              + support.kind()
              + " build / import / load, or "
              + support.kind()
              + " pull where a registry is reachable)");
    }
    return launch;
  }

  /** The container's name, unique per agent. */
  public String name() {
    return name;
  }

  /**
   * The engine's argv.
   *
   * @param inner the agent's own argv, run inside as given (its program found on the image's PATH)
   * @param envNames the variables passed into the container by name (the engine's own environment
   *     holds their values)
   * @param cwd the agent's working directory
   * @param limits engine options for resource limits
   */
  public List<String> command(
      ContainerSpec spec,
      AgentId id,
      String agentName,
      List<String> inner,
      Collection<String> envNames,
      Path cwd,
      List<String> limits) {
    List<String> argv = engine();
    argv.addAll(
        List.of(
            "run",
            "--rm",
            "-i",
            "--init",
            "--name",
            name,
            "--label",
            LABEL_ID + "=" + id,
            "--label",
            LABEL_NAME + "=" + agentName));
    // both engines take the same run options (Docker 20.10 and later for --pull; older ones are
    // refused at detection); only the image check and the removal differ
    argv.addAll(List.of("--pull", "never"));
    argv.addAll(support.runOptions());
    argv.addAll(limits);
    switch (spec.network()) {
      case HOST -> argv.add("--network=host");
      case NONE -> argv.add("--network=none");
      case PRIVATE -> {}
    }
    spec.user().ifPresent(u -> argv.addAll(List.of("--user", u)));
    if (spec.mountWorkingDir()) {
      argv.addAll(List.of("-v", cwd + ":" + cwd, "-w", cwd.toString()));
    }
    for (ContainerSpec.Mount m : spec.mounts()) {
      Path source = cwd.resolve(m.source()).toAbsolutePath().normalize();
      if (!Files.exists(source)) {
        throw new AgentException.InvalidConfig(
            "container.mounts",
            "mount source " + source + " does not exist; create it or fix the path");
      }
      argv.addAll(List.of("-v", source + ":" + m.target() + (m.readOnly() ? ":ro" : "")));
    }
    for (String n : new TreeSet<>(envNames)) {
      argv.addAll(List.of("--env", n));
    }
    argv.add(spec.image());
    argv.addAll(inner);
    return argv;
  }

  /**
   * The engine's options for the limits the kernel enforces: memory, CPU and processes become the
   * container's own cgroup limits. The runtime and output limits need no kernel and are applied to
   * the agent as to a local one.
   */
  public static List<String> limits(ResourceLimits limits) {
    List<String> out = new ArrayList<>();
    limits
        .memoryBytes()
        .ifPresent(b -> out.addAll(List.of("--memory", b + "b", "--memory-swap", b + "b")));
    limits.cpus().ifPresent(c -> out.addAll(List.of("--cpus", String.valueOf(c))));
    limits.maxProcesses().ifPresent(p -> out.addAll(List.of("--pids-limit", String.valueOf(p))));
    return out;
  }

  /**
   * Removes the container if it is still there (forcibly: its processes are killed), whatever state
   * the engine's own {@code --rm} cleanup left it in. Never throws.
   */
  public void remove() {
    List<String> rm = engine();
    rm.addAll(
        support.kind().equals("podman")
            ? List.of("rm", "-f", "--ignore", "--time", "0", name)
            : List.of("rm", "-f", name));
    ContainerEngines.Result r = ContainerEngines.run(rm);
    if (r.code() != 0
        && !r.output().toLowerCase(java.util.Locale.ROOT).contains("no such container")) {
      LOG.warn(
          "container {}: removal failed ({}); remove it with '{} rm -f {}'",
          name,
          ContainerEngines.firstLine(r.output()),
          support.kind(),
          name);
    }
  }

  private List<String> engine() {
    List<String> argv = new ArrayList<>();
    argv.add(support.engine().orElseThrow().toString());
    argv.addAll(support.engineOptions());
    return argv;
  }
}
