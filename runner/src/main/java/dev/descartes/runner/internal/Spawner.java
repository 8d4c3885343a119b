package dev.descartes.runner.internal;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.backend.BackendRegistry;
import dev.descartes.runner.internal.container.ContainerLaunch;
import dev.descartes.runner.internal.io.Transcript;
import dev.descartes.runner.internal.sandbox.SandboxPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns an {@link AgentConfig} into a started {@link LocalAgent}: picks the backend, checks every
 * input (each failure names its field and the fix), builds argv and environment, and starts the
 * process. Holds no state of its own beyond the runner's config; thread-safe.
 */
public final class Spawner {

  private final ProcessRunnerConfig config;
  private final BackendRegistry backends;

  public Spawner(ProcessRunnerConfig config, BackendRegistry backends) {
    this.config = config;
    this.backends = backends;
  }

  /** Everything checked and computed before a process is started. */
  public record Plan(
      AgentConfig config,
      List<String> argv,
      Map<String, String> environment,
      Path workingDir,
      LaunchSpec spec,
      Function<Duration, GracefulShutdown> stopSequence,
      CliProtocol cli,
      java.util.Optional<SandboxPlan> sandbox,
      Runnable afterExit) {}

  /**
   * @throws AgentException.InvalidConfig or {@link AgentException.SpawnFailed}; nothing started
   */
  public Plan plan(AgentConfig agent, AgentId id) {
    AgentConfig cfg = agent;
    LaunchSpec spec;
    Function<Duration, GracefulShutdown> stop;
    CliProtocol cli = CliProtocol.NONE;
    java.util.Set<String> backendAllowList = java.util.Set.of();
    if (cfg.hasCommand()) {
      spec = LaunchSpec.of(cfg.command());
      stop = GracefulShutdown::new;
      if (cfg.name().isBlank()) {
        cfg =
            cfg.toBuilder()
                .name(Path.of(cfg.command().getFirst()).getFileName().toString())
                .build();
      }
    } else {
      AgentBackend backend = backends.resolve(cfg.modelBackend());
      if (cfg.multiTurn() && backend.sessionProtocol().isEmpty()) {
        throw new AgentException.InvalidConfig(
            "multiTurn",
            "the "
                + backend.name()
                + " backend has no "
                + "multi-turn session mode; use claude or qwen, or run one agent per turn with resumeSession(id)");
      }
      spec = backend.launch(cfg);
      stop = timeout -> GracefulShutdown.of(backend, timeout);
      cli = CliProtocol.of(backend, cfg);
      backendAllowList = backend.environmentAllowList();
    }
    Containment.check(cfg.limits().orElse(config.limits()), config.cgroupContainment());
    Path cwd = workingDir(cfg);
    java.util.Set<String> extra = backendAllowList;
    Map<String, String> env =
        ChildEnvironment.build(
            System.getenv(),
            config.environmentAllowList().map(names -> union(names, extra)),
            spec.environment(),
            cfg.environment(),
            cwd,
            id.toString());
    List<String> argv = new ArrayList<>(spec.command());
    Runnable afterExit = () -> {};
    if (cfg.container().isPresent()) {
      if (cfg.sandbox().or(config::sandbox).isPresent()) {
        throw new AgentException.InvalidConfig(
            "container",
            "this agent has both a container and a sandbox "
                + "(its own or the runner's); a container is the agent's isolation: drop the sandbox for it, "
                + "and use ContainerSpec.network(NONE) and its mounts for the policy");
      }
      ContainerSpec container = cfg.container().get();
      ContainerLaunch launch = ContainerLaunch.prepare(container, id);
      Set<String> names = new HashSet<>(spec.environment().keySet());
      names.addAll(cfg.environment().keySet());
      names.add(ChildEnvironment.COOKIE);
      names.add("PWD");
      for (String name : System.getenv().keySet()) {
        if (ChildEnvironment.allowed(name, backendAllowList)) {
          names.add(name);
        }
      }
      argv =
          launch.command(
              container,
              id,
              cfg.name(),
              argv,
              names,
              cwd,
              ContainerLaunch.limits(cfg.limits().orElse(config.limits())));
      afterExit = launch::remove;
    } else {
      Path program = Executables.resolve(spec.command().getFirst(), env.get("PATH"), cwd);
      argv.set(0, program.toString());
    }
    for (int i = 1; i < argv.size(); i++) {
      int n = argv.get(i).getBytes(StandardCharsets.UTF_8).length;
      if (n > LaunchSpec.MAX_ARGUMENT_BYTES) {
        String field = argv.get(i).equals(cfg.task()) ? "task" : "command";
        throw new AgentException.InvalidConfig(
            field,
            "argument "
                + i
                + " is "
                + (n / 1024)
                + " KiB, but Linux caps one command-line argument at 128 KiB; send large text over stdin "
                + "(writeStdin) or in a file instead");
      }
    }
    List<String> command = argv;
    java.util.Optional<SandboxPlan> sandbox =
        cfg.sandbox().or(config::sandbox).map(s -> SandboxPlan.check(s, command, env, cwd));
    return new Plan(cfg, argv, env, cwd, spec, stop, cli, sandbox, afterExit);
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private Path workingDir(AgentConfig cfg) {
    Path dir = cfg.workingDir().or(config::workingDir).orElse(Path.of("").toAbsolutePath());
    String field = cfg.workingDir().isPresent() ? "workingDir" : "ProcessRunnerConfig.workingDir";
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      return abs; // one stat on every spawn; the reasons for a refusal only when there is one
    }
    if (!Files.exists(abs)) {
      throw new AgentException.InvalidConfig(
          field, abs + " does not exist; create it first or " + "choose an existing directory");
    }
    throw new AgentException.InvalidConfig(field, abs + " is not a directory; give a directory");
  }

  /** The two transcript files of an agent, or nulls when transcripts are off. */
  public Transcript[] transcripts(AgentConfig cfg, AgentId id) {
    if (config.transcriptDir().isEmpty()) {
      return new Transcript[2];
    }
    Path dir = config.transcriptDir().get();
    String base = cfg.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + id;
    Transcript out = null;
    try {
      Files.createDirectories(dir);
      out = Transcript.create(dir.resolve(base + ".stdout"));
      return new Transcript[] {out, Transcript.create(dir.resolve(base + ".stderr"))};
    } catch (IOException e) {
      if (out != null) {
        out.close();
      }
      throw new AgentException.InvalidConfig(
          "transcriptDir",
          "cannot write transcripts in "
              + dir
              + ": "
              + e.getMessage()
              + "; choose a writable directory");
    }
  }
}
