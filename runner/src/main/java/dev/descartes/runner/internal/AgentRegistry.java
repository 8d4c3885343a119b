package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LineListener;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.io.OutputBudget;
import dev.descartes.runner.internal.io.Transcript;
import dev.descartes.runner.internal.sandbox.OpenSandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's agents by id, its concurrency slots, its one health-check thread and the background
 * executor for exit handling and parallel shutdown. Thread-safe.
 */
public final class AgentRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentRegistry.class);

  private final ProcessRunnerConfig config;
  private final ProcessEngine engine;
  private final ConcurrentHashMap<AgentId, LocalAgent> agents = new ConcurrentHashMap<>();
  private final AgentSlots slots;
  private final AtomicLong seq = new AtomicLong();
  private final List<Consumer<? super AgentEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<LineListener> lineListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService background =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("descartes-bg-", 0).factory());
  private final HealthMonitor health;
  private final LimitWatch limitWatch = new LimitWatch();
  private final LocalAgent.Context context;
  private final OutputBudget outputBudget;
  private final java.util.concurrent.locks.ReentrantReadWriteLock spawns =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private volatile boolean closedForSpawns;

  /** What to do once each agent has ended (such as removing its container); runs before Exited. */
  private final ConcurrentHashMap<AgentId, Runnable> afterExit = new ConcurrentHashMap<>();

  public AgentRegistry(ProcessRunnerConfig config, ProcessEngine engine) {
    this.config = config;
    this.engine = engine;
    this.slots = new AgentSlots(config.maxConcurrentAgents());
    this.health =
        config.enableHealthChecks()
            ? new HealthMonitor(config.healthCheckInterval(), this::live)
            : null;
    this.outputBudget = new OutputBudget(config.outputMemoryBudget());
    this.context =
        new LocalAgent.Context(
            config,
            engine,
            background,
            this::terminal,
            listeners,
            lineListeners,
            limitWatch,
            outputBudget);
  }

  public LocalAgent spawn(Spawner spawner, AgentConfig agent) {
    AgentId id = AgentId.random();
    Spawner.Plan plan = spawner.plan(agent, id);
    slots.acquireNow();
    return startUnlessClosed(spawner, plan, id, a -> {});
  }

  public LocalAgent spawnWaiting(Spawner spawner, AgentConfig agent, Duration waitForSlot)
      throws InterruptedException {
    return spawnWaiting(spawner, agent, waitForSlot, a -> {});
  }

  /** {@code beforeOutput}: see {@link LocalAgent#start(Consumer)}. */
  public LocalAgent spawnWaiting(
      Spawner spawner,
      AgentConfig agent,
      Duration waitForSlot,
      Consumer<? super AgentHandle> beforeOutput)
      throws InterruptedException {
    AgentId id = AgentId.random();
    Spawner.Plan plan = spawner.plan(agent, id);
    slots.acquire(waitForSlot);
    return startUnlessClosed(spawner, plan, id, beforeOutput);
  }

  /**
   * Starts the agent under the read side of {@link #spawns}: {@link #closeForSpawns()} waits for
   * every spawn under way to have registered its agent, and no spawn starts after it, so a close
   * that then stops every live agent misses none.
   */
  private LocalAgent startUnlessClosed(
      Spawner spawner, Spawner.Plan plan, AgentId id, Consumer<? super AgentHandle> beforeOutput) {
    spawns.readLock().lock();
    try {
      if (closedForSpawns) {
        slots.release();
        throw new AgentException.Execution(
            "this runner is closed; create a new LocalProcessRunner");
      }
      return start(spawner, plan, id, beforeOutput);
    } finally {
      spawns.readLock().unlock();
    }
  }

  /**
   * From now on spawn fails; returns once every spawn under way has registered its agent (or
   * failed), so that {@link #live()} holds every agent that will ever run.
   */
  public void closeForSpawns() {
    spawns.writeLock().lock();
    try {
      closedForSpawns = true;
    } finally {
      spawns.writeLock().unlock();
    }
  }

  private LocalAgent start(
      Spawner spawner, Spawner.Plan plan, AgentId id, Consumer<? super AgentHandle> beforeOutput) {
    Transcript[] transcripts;
    try {
      transcripts = spawner.transcripts(plan.config(), id);
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    OpenSandbox sandbox = null;
    try {
      sandbox = plan.sandbox().isPresent() ? plan.sandbox().get().open() : null;
    } catch (IOException | RuntimeException e) {
      slots.release();
      closeAll(transcripts);
      throw new AgentException.SpawnFailed(
          plan.argv().getFirst(),
          "could not set up the sandbox of agent '"
              + plan.config().name()
              + "': "
              + e.getMessage()
              + "; check that the temporary folder ("
              + System.getProperty("java.io.tmpdir")
              + ") is writable",
          e);
    }
    LocalAgent a =
        new LocalAgent(
            id,
            seq.incrementAndGet(),
            plan,
            context,
            Optional.ofNullable(sandbox),
            transcripts[0],
            transcripts[1]);
    agents.put(id, a);
    afterExit.put(id, plan.afterExit());
    try {
      a.start(beforeOutput);
    } catch (IOException | RuntimeException e) {
      agents.remove(id);
      afterExit.remove(id).run();
      slots.release();
      if (sandbox != null) {
        sandbox.close();
      }
      closeAll(transcripts);
      String program = plan.argv().getFirst();
      throw new AgentException.SpawnFailed(
          program,
          "could not start '"
              + program
              + "' for agent '"
              + plan.config().name()
              + "': "
              + e.getMessage()
              + "; check that it is a program this "
              + "machine can run",
          e);
    }
    return a;
  }

  private static void closeAll(Transcript[] transcripts) {
    for (Transcript t : transcripts) {
      if (t != null) {
        t.close();
      }
    }
  }

  /** Called once per agent, as its status becomes final. */
  private void terminal(LocalAgent agent) {
    Runnable cleanup = afterExit.remove(agent.id());
    if (cleanup != null) {
      cleanup.run();
    }
    slots.release();
  }

  public Optional<LocalAgent> get(AgentId id) {
    return Optional.ofNullable(agents.get(id));
  }

  public LocalAgent require(AgentId id) {
    LocalAgent a = agents.get(id);
    if (a == null) {
      throw new AgentException.NotFound(id);
    }
    return a;
  }

  /** Every agent, in spawn order. */
  public List<LocalAgent> all() {
    List<LocalAgent> list = new ArrayList<>(agents.values());
    list.sort(Comparator.comparingLong(LocalAgent::spawnSeq));
    return list;
  }

  Collection<LocalAgent> live() {
    return agents.values().stream().filter(a -> a.status().isLive()).toList();
  }

  public boolean remove(AgentId id) {
    LocalAgent a = agents.get(id);
    if (a == null) {
      return false;
    }
    if (a.status().isLive()) {
      throw new AgentException.Execution(
          "agent "
              + id
              + " ("
              + a.config().name()
              + ") is still "
              + a.status()
              + "; stop it (kill or GracefulShutdown) and wait for it before removing it");
    }
    boolean removed = agents.remove(id, a);
    if (removed) {
      a.releaseOutput();
    }
    return removed;
  }

  /** The memory budget every agent's output windows share. */
  public OutputBudget outputBudget() {
    return outputBudget;
  }

  public AutoCloseable addListener(Consumer<? super AgentEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public AutoCloseable addLineListener(LineListener listener) {
    lineListeners.add(listener);
    return () -> lineListeners.remove(listener);
  }

  /**
   * Stops every live agent in parallel, each with its own stop sequence, and waits for all. The
   * sequences' waits all count from this call, so the last agent signalled gets no longer than the
   * first; when an agent's waits are over, this thread sends its SIGKILL ({@link
   * #killWhenWaitsEnd}), and each killed agent's exit handling sweeps its tree ({@link
   * #finishKills}).
   */
  public void shutdownAll(Duration timeout) {
    java.time.Instant start = java.time.Instant.now();
    long startNanos = System.nanoTime();
    List<LocalAgent> agents = List.copyOf(live());
    long[] killAfter = new long[agents.size()];
    CountDownLatch ended = new CountDownLatch(agents.size());
    List<Future<?>> stops = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      LocalAgent a = agents.get(i);
      a.onExit().whenComplete((st, err) -> ended.countDown());
      GracefulShutdown sequence = a.stopSequence(timeout);
      Duration waits = sequence.totalWait();
      // a sequence without waits kills at once after its signals: no SIGKILL ahead of them
      killAfter[i] = waits.isZero() ? Long.MAX_VALUE : saturatedNanos(waits);
      stops.add(
          background.submit(
              waits.isZero()
                  ? () -> sequence.shutdown(a, start)
                  : () -> sequence.runSteps(a, start)));
    }
    boolean[] killedHere = new boolean[agents.size()];
    boolean interrupted = killWhenWaitsEnd(agents, startNanos, killAfter, ended, killedHere);
    interrupted |= awaitAll(stops);
    interrupted |= finishKills(agents, killedHere);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends SIGKILL to the main process of every agent still running when its stop sequence's waits
   * are over, all from this thread in one loop. The exit handling of each killed agent then sweeps
   * its tree (a stop was asked for), so the sequences only run their steps: a thousand sequences
   * each sending its own SIGKILL and sweeping its group as it got a core took 400 ms from the first
   * to the last SIGKILL, and swept every group twice.
   *
   * @param killedHere set for each agent whose main process this loop sent SIGKILL
   * @return whether this thread was interrupted (the loop then ends early: the kills that follow
   *     come at once)
   */
  private static boolean killWhenWaitsEnd(
      List<LocalAgent> agents,
      long startNanos,
      long[] killAfter,
      CountDownLatch ended,
      boolean[] killedHere) {
    Integer[] order = new Integer[agents.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingLong(i -> killAfter[i]));
    boolean interrupted = false;
    for (int k = 0; k < order.length && killAfter[order[k]] != Long.MAX_VALUE; k++) {
      try {
        long wait = killAfter[order[k]] - (System.nanoTime() - startNanos);
        if (ended.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
      killedHere[order[k]] = agents.get(order[k]).killMainNow();
    }
    return interrupted;
  }

  /**
   * Ends every agent still running: one the loop did not kill gets {@link LocalAgent#kill()} at
   * once, which kills its whole tree; one it did gets {@link LocalAgent#REAP_TIMEOUT} to exit (its
   * exit handling sweeps its tree), then the same kill, which reports a kill that did not take.
   * Returns once every agent has ended or its kill has failed.
   *
   * @return whether this thread was interrupted
   */
  private boolean finishKills(List<LocalAgent> agents, boolean[] killedHere) {
    List<Future<?>> kills = new ArrayList<>();
    int loopKilled = 0;
    for (int i = 0; i < agents.size(); i++) {
      if (killedHere[i]) {
        loopKilled++;
      } else if (!agents.get(i).status().isTerminal()) {
        kills.add(killAndWait(agents.get(i)));
      }
    }
    if (loopKilled + kills.size() > 0) {
      LOG.info(
          "shutdown: {} of {} agents were still running after their stop sequence; SIGKILL",
          loopKilled + kills.size(),
          agents.size());
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + LocalAgent.REAP_TIMEOUT.toNanos();
    for (int i = 0; i < agents.size(); i++) {
      LocalAgent a = agents.get(i);
      if (!killedHere[i]) {
        continue;
      }
      try {
        if (a.waitFor(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))).isPresent()) {
          continue;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      kills.add(killAndWait(a));
    }
    return awaitAll(kills) | interrupted;
  }

  private Future<?> killAndWait(LocalAgent a) {
    return background.submit(
        () -> {
          a.kill();
          return a.waitFor();
        });
  }

  /** Waits for every task; a task's failure is its own to report. Returns whether interrupted. */
  private static boolean awaitAll(List<Future<?>> tasks) {
    boolean interrupted = false;
    for (Future<?> f : tasks) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException e) {
          break;
        }
      }
    }
    return interrupted;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE - 1;
    }
  }

  @Override
  public void close() {
    if (health != null) {
      health.close();
    }
    limitWatch.close();
    background.shutdown();
  }
}
