package dev.descartes.runner;

import dev.descartes.runner.internal.AgentRegistry;
import dev.descartes.runner.internal.BudgetWatch;
import dev.descartes.runner.internal.LocalAgent;
import dev.descartes.runner.internal.Spawner;
import dev.descartes.runner.internal.backend.BackendRegistry;
import dev.descartes.runner.internal.engine.Engines;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.os.OrphanReaper;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs agents as local operating-system processes.
 *
 * <p>Every agent runs in its own session and process group (Linux), with stdout and stderr drained
 * all the time into bounded windows, its exit noticed at once, and its whole process tree, tools
 * that escaped into their own session included, stopped by {@link #kill}, {@link #shutdown} and
 * {@link GracefulShutdown}. One health-check thread serves every agent. Thread-safe: every method
 * may be called from any thread. Closing the runner stops all its agents.
 *
 * <pre>{@code
 * try (var runner = new LocalProcessRunner()) {
 *   AgentHandle h = runner.spawn(AgentConfig.builder()
 *       .name("research-agent").modelBackend("claude").task("Research AI developments").build());
 *   for (AgentEvent e : h.events()) System.out.println(e);
 * }
 * }</pre>
 */
public final class LocalProcessRunner implements AgentRunner {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(LocalProcessRunner.class);

  private final ProcessRunnerConfig config;
  private final ProcessEngine engine;
  private final BackendRegistry backends;
  private final AgentRegistry registry;
  private final Spawner spawner;
  private final BudgetWatch budgets;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  /** A runner with {@link ProcessRunnerConfig#defaults()}. */
  public LocalProcessRunner() {
    this(ProcessRunnerConfig.defaults());
  }

  /**
   * A runner with {@code config}: starts its engine, and installs the shutdown hook and becomes the
   * subreaper when the config says so.
   *
   * @param config how to run agents
   */
  public LocalProcessRunner(ProcessRunnerConfig config) {
    this.config = config;
    this.engine = Engines.create(config.engine());
    this.backends = new BackendRegistry(config.backends());
    this.spawner = new Spawner(config, backends);
    this.registry = new AgentRegistry(config, engine);
    this.budgets = new BudgetWatch(config.budgetUsd(), registry);
    if (config.subreaper()) {
      OrphanReaper.becomeSubreaper();
    }
    if (config.shutdownHook()) {
      shutdownHook = Thread.ofPlatform().name("descartes-shutdown").unstarted(this::close);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
  }

  /** {@return this runner's configuration} */
  public ProcessRunnerConfig config() {
    return config;
  }

  /** {@return the names of the registered backends (built-in, service-loaded and configured)} */
  public List<String> backends() {
    return backends.names();
  }

  /**
   * The names of the backends a runner with {@code config} has (built-in, service-loaded and
   * configured), without starting one: for checking configs before anything runs.
   *
   * @param config the runner's config
   * @return the names, in registration order
   */
  public static List<String> backends(ProcessRunnerConfig config) {
    return new BackendRegistry(config.backends()).names();
  }

  /** {@return the process engine in use, such as {@code "jdk"}} */
  public String engineName() {
    return engine.name();
  }

  @Override
  public AgentHandle spawn(AgentConfig config) {
    ensureOpen();
    requirePreparedWorkspace(config);
    return observed(
        config,
        () -> {
          LocalAgent a = registry.spawn(spawner, config);
          budgets.watch(a);
          return a;
        });
  }

  @Override
  public AgentHandle spawn(AgentConfig config, Duration waitForSlot) throws InterruptedException {
    ensureOpen();
    requirePreparedWorkspace(config);
    return observed(
        config,
        () -> {
          LocalAgent a = registry.spawnWaiting(spawner, config, waitForSlot);
          budgets.watch(a);
          return a;
        });
  }

  private interface SpawnCall<X extends Exception> {
    AgentHandle spawn() throws X;
  }

  /**
   * Runs {@code call} with the config's {@link RunnerListener} told of the spawn, its failure and
   * the exit.
   */
  private <X extends Exception> AgentHandle observed(AgentConfig agent, SpawnCall<X> call)
      throws X {
    RunnerListener l = config.listener();
    if (l == RunnerListener.NONE) {
      return call.spawn();
    }
    long t0 = System.nanoTime();
    tell(() -> l.spawnStarted(agent));
    AgentHandle h;
    try {
      h = call.spawn();
    } catch (AgentException e) {
      tell(() -> l.spawnFailed(agent, e));
      throw e;
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - t0);
    tell(() -> l.spawned(h, latency));
    h.onExit().whenComplete((x, e) -> tell(() -> l.exited(h.info(), h.outcome())));
    return h;
  }

  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (Throwable e) {
      LOG.warn("a RunnerListener failed: {}", e.toString());
    }
  }

  /**
   * Like {@link #spawn(AgentConfig, Duration)}, and calls {@code beforeOutput} with the handle once
   * the process exists, before the first byte of its output is delivered: the {@link
   * OutputDelivery#EVERY_LINE every-line} readers it opens ({@code stdout(EVERY_LINE)}, {@code
   * events(EVERY_LINE).iterator()}, ...) see every line from the very first, however much the agent
   * writes at once. It runs on the spawning thread and must not block. The config's {@link
   * RunnerListener} hears of this spawn as of the others.
   *
   * @param config what to run
   * @param waitForSlot the longest wait for a slot under the concurrency cap
   * @param beforeOutput gets the handle before any output is delivered
   * @return the agent's handle
   * @throws InterruptedException if interrupted while waiting for a slot
   * @throws AgentException as {@link #spawn(AgentConfig)} does
   */
  public AgentHandle spawn(
      AgentConfig config, Duration waitForSlot, Consumer<? super AgentHandle> beforeOutput)
      throws InterruptedException {
    ensureOpen();
    requirePreparedWorkspace(config);
    return observed(
        config,
        () ->
            registry.spawnWaiting(
                spawner,
                config,
                waitForSlot,
                h -> {
                  if (h instanceof LocalAgent a) {
                    budgets.watch(a); // before the first byte, so no cost is missed
                  }
                  beforeOutput.accept(h);
                }));
  }

  @Override
  public List<AgentInfo> listAgents() {
    return registry.all().stream().map(LocalAgent::info).toList();
  }

  @Override
  public Optional<AgentInfo> getAgent(AgentId id) {
    return registry.get(id).map(LocalAgent::info);
  }

  @Override
  public Optional<AgentHandle> getHandle(AgentId id) {
    return registry.get(id).map(a -> a);
  }

  @Override
  public void signal(AgentId id, AgentSignal signal) {
    registry.require(id).signal(signal);
  }

  @Override
  public void kill(AgentId id) {
    registry.require(id).kill();
  }

  @Override
  public boolean remove(AgentId id) {
    return registry.remove(id);
  }

  /**
   * Calls {@code listener} for every later event of every agent of this runner, on the thread that
   * reads that agent's output. See {@link AgentHandle#onEvent}.
   *
   * @param listener called once per event
   * @return closing it removes the listener
   */
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener) {
    return registry.addListener(listener);
  }

  /**
   * Calls {@code listener} for every later stdout line of every agent of this runner, as a view of
   * a buffer of the runner's, valid during the call: no copy and no object per line made for it,
   * for consumers that must keep up with an agent's full output rate. A line reaches the line
   * listeners before the event listeners. See {@link LineListener}.
   *
   * @param listener called once per line, on the thread that reads that agent's output
   * @return closing it removes the listener (the rest of a read already being delivered may still
   *     reach it)
   */
  public AutoCloseable onLine(LineListener listener) {
    Objects.requireNonNull(listener, "listener");
    return registry.addLineListener(listener);
  }

  @Override
  public void shutdown(Duration timeout) {
    registry.shutdownAll(timeout);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      registry.closeForSpawns(); // a spawn racing with close is either refused or seen below
      shutdown(config.shutdownTimeout());
    } finally {
      registry.close();
      engine.close();
      if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
          // the hook is running or about to: nothing to remove
        }
      }
    }
  }

  private static void requirePreparedWorkspace(AgentConfig config) {
    if (config.workspace().isPresent() && config.workspace().get().worktree().isEmpty()) {
      throw new AgentException.InvalidConfig(
          "workspace",
          "agent '"
              + config.name()
              + "' has a worktree workspace "
              + "that was not made yet; pass its config through Worktrees.prepare(fleet, configs) and spawn the configs "
              + "it returns");
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new AgentException.Execution("this runner is closed; create a new LocalProcessRunner");
    }
  }
}
