package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentHealth;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentMetrics;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.ProcessState;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.activity.ActivityTracker;
import dev.descartes.runner.internal.cgroup.AgentCgroup;
import dev.descartes.runner.internal.cgroup.CgroupPlacer;
import dev.descartes.runner.internal.cgroup.CgroupStats;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.engine.LaunchRequest;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.engine.SpawnThread;
import dev.descartes.runner.internal.io.Transcript;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.sandbox.OpenSandbox;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: its process, output pipelines, status machine and exit. Events go through its {@link
 * EventDispatch}, signals and kills to its {@link AgentTree}, health samples come from the {@link
 * HealthMonitor}. The status moves by compare-and-set only; the terminal status is set once, by the
 * single exit finalizer, before {@link #onExit()} completes. Thread-safe.
 */
public final class LocalAgent implements AgentHandle {

  private static final Logger LOG = LoggerFactory.getLogger(LocalAgent.class);
  private static final Duration LIMIT_STOP_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);

  /**
   * What the agent needs from its runner.
   *
   * @param config the runner's configuration
   * @param engine starts the process
   * @param background runs exit handling and the initial input
   * @param onTerminal called once, as the status becomes final
   * @param runnerListeners the runner's event listeners, live
   * @param limitWatch enforces the runtime and output limits
   * @param outputBudget the memory every output window of the runner shares
   */
  public record Context(
      ProcessRunnerConfig config,
      ProcessEngine engine,
      Executor background,
      Consumer<LocalAgent> onTerminal,
      List<Consumer<? super AgentEvent>> runnerListeners,
      LimitWatch limitWatch,
      dev.descartes.runner.internal.io.OutputBudget outputBudget) {}

  private final AgentId id;
  private final long spawnSeq;
  private final Spawner.Plan plan;
  private final AgentConfig config;
  private final Context ctx;
  private final Optional<OpenSandbox> sandbox;
  private final EventDispatch events;
  private final java.util.concurrent.atomic.AtomicReference<
          dev.descartes.runner.AgentOutcome.ErrorKind>
      limitHit = new java.util.concurrent.atomic.AtomicReference<>();
  private volatile String limitMessage;
  private final ResourceLimits limits;
  private final AtomicReference<AgentStatus> status = new AtomicReference<>(AgentStatus.STARTING);
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean finalizing = new AtomicBoolean();
  private final Set<Integer> sentSignals = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private final AtomicLong stdinLines = new AtomicLong();
  private final OutputPipeline stdout;
  private final OutputPipeline stderr;
  private final SharedReader stdoutReader;
  private final SharedReader stderrReader;
  private final CompletableFuture<Void> initialInputWritten = new CompletableFuture<>();

  /** A kill asked for while STARTING: carried out the moment the process exists. */
  private volatile boolean killPending;

  /** A signal asked for while STARTING: sent the moment the process exists. */
  private volatile AgentSignal signalPending;

  /** Set once child and tree are in place; pending requests are checked after it. */
  private volatile boolean processReady;

  private volatile ChildProcess child;
  private volatile AgentTree tree;
  private volatile Instant startedAt = Instant.now();
  private volatile long startNanos = System.nanoTime();
  private volatile AgentEvent.Started started;
  private volatile AgentEvent.Exited exited;
  private volatile ExitStatus exitStatus;
  private volatile Instant endedAt;
  private volatile long endNanos;
  private volatile HealthSample health;

  /**
   * @param sandbox the agent's open sandbox, if it runs in one: its command line wraps the plan's,
   *     and it is closed once the agent has ended
   */
  LocalAgent(
      AgentId id,
      long spawnSeq,
      Spawner.Plan plan,
      Context ctx,
      Optional<OpenSandbox> sandbox,
      Transcript outTranscript,
      Transcript errTranscript) {
    this.id = id;
    this.sandbox = sandbox;
    this.spawnSeq = spawnSeq;
    this.plan = plan;
    this.config = plan.config();
    this.ctx = ctx;
    ProcessRunnerConfig rc = ctx.config();
    this.limits = config.limits().orElse(rc.limits());
    CliProtocol cli = plan.cli();
    Optional<LocalSession> session =
        cli.session().map(p -> new LocalSession(this, p, cli.firstMessageSent()));
    this.events =
        new EventDispatch(id, rc.enableJsonStreaming(), cli, ctx.runnerListeners(), session);
    this.stdout =
        new OutputPipeline(
            rc.outputWindowBytes(),
            rc.pinnedHeadBytes(),
            ctx.outputBudget(),
            rc.maxLineBytes(),
            outTranscript,
            events);
    this.stderr =
        new OutputPipeline(
            rc.outputWindowBytes(), 0, ctx.outputBudget(), rc.maxLineBytes(), errTranscript, null);
    this.stdoutReader = new SharedReader(stdout);
    this.stderrReader = new SharedReader(stderr);
  }

  /** Starts the process; on failure nothing is left running and the caller frees the slot. */
  void start() throws IOException {
    start(a -> {});
  }

  /**
   * Starts the process; {@code beforeOutput} gets the handle once the process exists and before the
   * first byte of its output is delivered (readers it opens see every line from the first).
   */
  void start(Consumer<? super AgentHandle> beforeOutput) throws IOException {
    LaunchSpec spec = plan.spec();
    long spawnTicks = Platform.isLinux() ? ProcFs.uptimeTicks() - 1 : 0;
    LaunchRequest request =
        new LaunchRequest(
            sandbox.map(OpenSandbox::argv).orElse(plan.argv()),
            sandbox.map(OpenSandbox::environment).orElse(plan.environment()),
            plan.workingDir(),
            stdout,
            stderr);
    AgentCgroup group =
        Containment.createGroup(id, config, limits, ctx.config().cgroupContainment());
    ChildProcess c;
    try {
      // Both from the one long-lived spawn thread: cgroup v1 placement follows the forking thread,
      // and so does bubblewrap's parent-death signal.
      c =
          group != null
              ? CgroupPlacer.spawnInside(group, () -> ctx.engine().start(request))
              : sandbox.isPresent()
                  ? SpawnThread.call(() -> ctx.engine().start(request))
                  : ctx.engine().start(request);
    } catch (IOException | RuntimeException e) {
      if (group != null) {
        group.close();
      }
      throw e;
    }
    child = c;
    startedAt = Instant.now();
    startNanos = System.nanoTime();
    if (group != null) {
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
      tree = new CgroupAgentTree(group, (int) c.pid(), sandbox.isPresent());
    } else {
      tree = AgentTree.of(c.pid(), spawnTicks, id.toString(), sandbox.isPresent());
      if (Platform.isLinux()) {
        Containment.applyRlimits(c.pid(), limits);
      }
    }
    ctx.limitWatch().watch(this, limits);
    status.compareAndSet(AgentStatus.STARTING, AgentStatus.RUNNING);
    processReady = true;
    carryOutPendingStop();
    started = new AgentEvent.Started(id, startedAt, c.pid());
    events.emit(started);
    try {
      beforeOutput.accept(this);
    } catch (RuntimeException e) {
      LOG.warn("agent {}: the spawn's beforeOutput callback threw {}", id, e.toString());
    }
    c.startOutput();
    c.onExit().whenComplete((st, err) -> ctx.background().execute(() -> finish(st, err)));
    byte[] input = spec.initialInput();
    if (input.length == 0 && spec.stdin() != LaunchSpec.Stdin.CLOSE_AFTER_INPUT) {
      initialInputWritten.complete(null);
    }
    if (input.length > 0 || spec.stdin() == LaunchSpec.Stdin.CLOSE_AFTER_INPUT) {
      ctx.background()
          .execute(
              () -> {
                try {
                  if (input.length > 0) {
                    c.writeStdin(input);
                    stdinLines.addAndGet(countLines(input));
                  }
                } catch (IOException e) {
                  LOG.debug("agent {}: initial input not fully written: {}", id, e.toString());
                } finally {
                  if (spec.stdin() == LaunchSpec.Stdin.CLOSE_AFTER_INPUT) {
                    c.closeStdin();
                  }
                  initialInputWritten.complete(null);
                }
              });
    }
  }

  // ---- exit ----

  private void finish(ExitStatus raw, Throwable err) {
    if (!finalizing.compareAndSet(false, true)) {
      return;
    }
    try {
      AgentTree t = tree;
      t.leaderExited();
      if (t instanceof CgroupAgentTree g) {
        noteKernelLimits(g.group());
      }
      if (ctx.config().killOrphansOnExit() || stopRequested.get()) {
        int killed = t.killAll(REAP_TIMEOUT);
        if (killed > 0) {
          LOG.debug(
              "agent {} ({}): killed {} leftover processes of its tree", id, config.name(), killed);
        }
      }
      if (t instanceof CgroupAgentTree g) {
        g.group().closeWhenEmpty();
      }
      drainOutput();
    } catch (RuntimeException e) {
      LOG.warn("agent {} ({}): cleanup after exit failed: {}", id, config.name(), e.toString());
    } finally {
      sandbox.ifPresent(OpenSandbox::close);
      ExitStatus st = raw != null ? interpret(raw) : ExitStatus.exited(-1);
      if (err != null) {
        LOG.warn("agent {} ({}): exit status unavailable: {}", id, config.name(), err.toString());
      }
      exitStatus = st;
      endNanos = System.nanoTime();
      endedAt = Instant.now();
      boolean limited = events.agentExited(st, stopRequested.get(), limitHit.get(), limitMessage);
      AgentStatus terminal =
          limited
              ? AgentStatus.FAILED
              : stopRequested.get()
                  ? AgentStatus.TERMINATED
                  : st.success() ? AgentStatus.COMPLETED : AgentStatus.FAILED;
      status.set(terminal);
      child.closeStdin();
      ctx.onTerminal().accept(this);
      exited = new AgentEvent.Exited(id, endedAt, st, terminal);
      events.emit(exited);
      exit.complete(st);
      events.agentEnded(st);
    }
  }

  /**
   * Waits for both streams to end. The timeout runs while nothing happens: an every-line reader
   * that is still reading what the agent wrote before it exited gets all the time it needs.
   */
  private void drainOutput() {
    CompletableFuture<Void> both = CompletableFuture.allOf(stdout.ended(), stderr.ended());
    try {
      OutputPipeline.awaitEnded(both, ctx.config().outputDrainTimeout(), stdout, stderr);
    } catch (TimeoutException e) {
      LOG.warn(
          "agent {} ({}): output still open {} after exit (a process outside its tree holds the "
              + "pipe); later output is not read",
          id,
          config.name(),
          ctx.config().outputDrainTimeout());
      child.abandonOutput();
      stdout.end();
      stderr.end();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stdout.end();
      stderr.end();
    } catch (ExecutionException e) {
      stdout.end();
      stderr.end();
    }
  }

  /**
   * The JDK engine, and bubblewrap around a sandboxed agent, report 128+n for death by signal n; it
   * was a signal if we sent n.
   */
  private ExitStatus interpret(ExitStatus raw) {
    if ((child.reportsSignalsExactly() && sandbox.isEmpty()) || raw.code().isEmpty()) {
      return raw;
    }
    int code = raw.code().getAsInt();
    if (code > 128 && code < 128 + 65 && sentSignals.contains(code - 128)) {
      return ExitStatus.signalled(code - 128);
    }
    return raw;
  }

  // ---- control ----

  @Override
  public void requestStop() {
    stopRequested.set(true);
    status.updateAndGet(s -> s.isTerminal() ? s : AgentStatus.STOPPING);
  }

  /**
   * A kill or signal that came while STARTING. Either the caller saw the process (and acted itself)
   * or this sees the request (both may happen: a second kill does no harm).
   */
  private void carryOutPendingStop() {
    if (killPending) {
      kill();
    } else {
      AgentSignal s = signalPending;
      if (s != null) {
        signal(s);
      }
    }
  }

  @Override
  public void signal(AgentSignal signal) {
    if (!Platform.hasPosixSignals()
        && signal != AgentSignal.TERMINATE
        && signal != AgentSignal.KILL) {
      throw PortableAgentTree.unsupported(signal);
    }
    if (signal == AgentSignal.KILL) {
      kill();
      return;
    }
    if (status.get().isTerminal()) {
      return;
    }
    if (signal.requestsStop()) {
      requestStop();
    }
    sentSignals.add(signal.number());
    if (!processReady) {
      signalPending = signal; // STARTING: sent by start() once the process exists
      if (!processReady) {
        return;
      }
    }
    tree.signal(signal);
    switch (signal) {
      case PAUSE -> status.compareAndSet(AgentStatus.RUNNING, AgentStatus.PAUSED);
      case RESUME -> status.compareAndSet(AgentStatus.PAUSED, AgentStatus.RUNNING);
      default -> {}
    }
  }

  @Override
  public void kill() {
    requestStop();
    sentSignals.add(AgentSignal.KILL.number());
    killPending = true; // STARTING: start() carries it out once the process exists
    if (!processReady) {
      return;
    }
    AgentTree t = tree;
    RuntimeException failure = null;
    try {
      if (t != null) {
        t.killAll(REAP_TIMEOUT);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    verifyKilled(failure);
  }

  /**
   * A kill returns only once the main process is gone; if it is still there after {@link
   * #REAP_TIMEOUT}, the kill did not work: the status says so and {@link AgentException.KillFailed}
   * tells the caller, never a silent return.
   */
  private void verifyKilled(RuntimeException failure) {
    ChildProcess c = child;
    try {
      c.onExit().get(REAP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException e) {
      return; // the exit status is unavailable, but the process is gone
    } catch (TimeoutException e) {
      // still alive: fall through
    }
    status.compareAndSet(AgentStatus.STOPPING, AgentStatus.KILL_FAILED);
    String why = failure != null ? " (" + failure + ")" : whyFilesCannotOpen();
    throw new AgentException.KillFailed(
        "could not kill agent "
            + id
            + " ("
            + config.name()
            + "): its process "
            + c.pid()
            + " is still alive "
            + REAP_TIMEOUT.toSeconds()
            + " s after SIGKILL"
            + why
            + "; raise the runner's limits (ulimit -n), then call kill() again",
        failure);
  }

  /**
   * {@code " (the runner cannot open files: Too many open files)"}, or empty if it can. A runner
   * out of descriptors cannot load classes either: what this path needs is loaded with this class.
   */
  private static String whyFilesCannotOpen() {
    try (var _ = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/self/stat"))) {
      return "";
    } catch (IOException e) {
      return " (the runner cannot open files: " + e.getMessage() + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }

  static {
    // loaded now, not when a kill fails for want of descriptors (a class file needs one to load)
    AgentException.KillFailed.class.getName();
  }

  // ---- stdin ----

  @Override
  public void writeStdin(byte[] data) {
    if (status.get().isTerminal()) {
      throw new AgentException.Communication(
          "agent "
              + id
              + " ("
              + config.name()
              + ") has exited ("
              + exitStatus
              + "); nothing can be written to it any more");
    }
    try {
      child.writeStdin(data);
      stdinLines.addAndGet(countLines(data));
    } catch (IOException e) {
      throw new AgentException.Communication(
          "cannot write to the stdin of agent "
              + id
              + " ("
              + config.name()
              + "): "
              + (e.getMessage() == null ? e.toString() : e.getMessage())
              + "; it was closed (closeStdin(), or the backend closes it for one-shot CLIs) or the agent "
              + "exited",
          e);
    }
  }

  @Override
  public void closeStdin() {
    ChildProcess c = child;
    if (c != null) {
      c.closeStdin();
    }
  }

  @Override
  public boolean isStdinOpen() {
    ChildProcess c = child;
    return c != null && !status.get().isTerminal() && c.isStdinOpen();
  }

  private static long countLines(byte[] data) {
    long n = 0;
    for (byte b : data) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }

  // ---- events ----

  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener) {
    return events.addListener(listener);
  }

  @Override
  public Iterable<AgentEvent> events() {
    return () -> events.newReader(this, stdout.log());
  }

  @Override
  public Iterable<AgentEvent> events(dev.descartes.runner.OutputDelivery delivery) {
    boolean everyLine = delivery == dev.descartes.runner.OutputDelivery.EVERY_LINE;
    return () -> events.newReader(this, stdout.log(), everyLine, false);
  }

  @Override
  public AutoCloseable onEvent(
      Consumer<? super AgentEvent> listener, dev.descartes.runner.OutputDelivery delivery) {
    if (delivery == dev.descartes.runner.OutputDelivery.EVERY_LINE) {
      return onEvent(listener);
    }
    return LatestListener.start(this, events.newReader(this, stdout.log(), false, true), listener);
  }

  @Override
  public AgentOutput stdout(dev.descartes.runner.OutputDelivery delivery) {
    return new SharedReader(stdout, delivery);
  }

  @Override
  public AgentOutput stderr(dev.descartes.runner.OutputDelivery delivery) {
    return new SharedReader(stderr, delivery);
  }

  /** The runner forgets this agent: its windows' memory goes back to the budget. */
  void releaseOutput() {
    ctx.outputBudget().unregister(stdout.log());
    ctx.outputBudget().unregister(stderr.log());
  }

  @Override
  public Optional<AgentOutcome> outcome() {
    return events.outcome();
  }

  @Override
  public Optional<AgentSession> session() {
    return events.session().map(s -> s);
  }

  @Override
  public ExitStatus stop(Duration timeout) {
    return stopSequence(timeout).shutdown(this);
  }

  /** Completes once the backend's initial input is written (at once when there is none). */
  CompletableFuture<Void> initialInputWritten() {
    return initialInputWritten;
  }

  AgentEvent.Started startedEvent() {
    return started;
  }

  /** Blocks until the Exited event exists. */
  AgentEvent.Exited awaitExited() throws InterruptedException {
    try {
      exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
    return exited;
  }

  // ---- queries ----

  @Override
  public AgentId id() {
    return id;
  }

  long spawnSeq() {
    return spawnSeq;
  }

  @Override
  public AgentConfig config() {
    return config;
  }

  @Override
  public AgentStatus status() {
    return status.get();
  }

  @Override
  public long pid() {
    ChildProcess c = child;
    return c == null ? -1 : c.pid();
  }

  /** This agent's stop sequence for {@code timeout}: its backend's, or the default. */
  public GracefulShutdown stopSequence(Duration timeout) {
    return plan.stopSequence().apply(timeout);
  }

  /** The agent's tree once started, while it has not ended; empty otherwise. */
  Optional<AgentTree> tree() {
    return status.get().isTerminal() ? Optional.empty() : Optional.ofNullable(tree);
  }

  @Override
  public ExitStatus waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(exit.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit.copy();
  }

  @Override
  public AgentOutput stdout() {
    return stdoutReader;
  }

  @Override
  public AgentOutput stderr() {
    return stderrReader;
  }

  @Override
  public AgentInfo info() {
    AgentStatus s = status.get();
    ExitStatus st = exitStatus;
    long end = s.isTerminal() ? endNanos : System.nanoTime();
    Optional<Instant> lastOut = latest(stdout.lastOutputMillis(), stderr.lastOutputMillis());
    HealthSample h = health;
    ProcessState state =
        s.isTerminal() ? ProcessState.EXITED : h == null ? ProcessState.UNKNOWN : h.state();
    AgentHealth agentHealth =
        new AgentHealth(state, lastOut, Optional.ofNullable(h).map(HealthSample::at));
    AgentMetrics metrics =
        new AgentMetrics(
            Duration.ofNanos(Math.max(0, end - startNanos)),
            stdinLines.get(),
            stdout.lines(),
            stderr.lines(),
            stdout.bytes(),
            stderr.bytes(),
            Optional.ofNullable(h).flatMap(HealthSample::usage));
    return new AgentInfo(
        id,
        config.name(),
        config.modelBackend(),
        config.task(),
        s,
        child == null ? -1 : child.pid(),
        startedAt,
        Optional.ofNullable(st),
        Optional.ofNullable(endedAt),
        agentHealth,
        metrics,
        events.activity().activity(),
        limits);
  }

  /** The limits in force for this agent: its own, each unset one from the runner's. */
  ResourceLimits limits() {
    return limits;
  }

  long stdoutBytes() {
    return stdout.bytes();
  }

  long stderrBytes() {
    return stderr.bytes();
  }

  /** After exit: whether the kernel enforced a limit (an OOM kill, a refused fork) on the way. */
  private void noteKernelLimits(AgentCgroup g) {
    if (limits.memoryBytes().isEmpty() && limits.maxProcesses().isEmpty()) {
      return;
    }
    CgroupStats s = g.stats();
    if (s.oomKills() > 0
        && limits.memoryBytes().isPresent()
        && limitHit.compareAndSet(null, AgentOutcome.ErrorKind.MEMORY_LIMIT)) {
      limitMessage =
          "memory limit of "
              + ResourceLimits.formatSize(limits.memoryBytes().getAsLong())
              + " reached: the kernel killed "
              + s.oomKills()
              + (s.oomKills() == 1 ? " process" : " processes")
              + s.memoryPeakBytes().stream()
                  .mapToObj(p -> " (peak " + ResourceLimits.formatSize(p) + ")")
                  .findFirst()
                  .orElse("");
    } else if (s.pidsRefused() > 0
        && limits.maxProcesses().isPresent()
        && limitHit.compareAndSet(null, AgentOutcome.ErrorKind.PIDS_LIMIT)) {
      limitMessage =
          "process limit of "
              + limits.maxProcesses().getAsInt()
              + " reached: "
              + s.pidsRefused()
              + " forks refused";
    }
  }

  /** What the agent is doing, from its events. */
  ActivityTracker activityTracker() {
    return events.activity();
  }

  /** Called once a limit the runner enforces is passed: stops the agent with its stop sequence. */
  void limitReached(dev.descartes.runner.AgentOutcome.ErrorKind kind, String message) {
    if (status.get().isTerminal() || !limitHit.compareAndSet(null, kind)) {
      return;
    }
    limitMessage = message;
    LOG.info("agent {} ({}): {}; stopping it", id, config.name(), message);
    ctx.background()
        .execute(
            () -> {
              try {
                stop(LIMIT_STOP_TIMEOUT);
              } catch (RuntimeException e) {
                LOG.warn(
                    "agent {} ({}): stop after {} failed: {}",
                    id,
                    config.name(),
                    kind,
                    e.toString());
              }
            });
  }

  private static Optional<Instant> latest(Optional<Long> a, Optional<Long> b) {
    long t = Math.max(a.orElse(0L), b.orElse(0L));
    return t == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t));
  }

  /** Called by the health monitor; a check that could not read the usage keeps the last one. */
  void recordHealth(HealthSample sample) {
    HealthSample previous = health;
    health =
        sample.usage().isPresent() || previous == null
            ? sample
            : new HealthSample(sample.state(), previous.usage(), sample.at());
  }

  @Override
  public String toString() {
    return "Agent[" + id + ", " + config.name() + ", " + status.get() + "]";
  }
}
