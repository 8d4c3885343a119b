package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.LineListener;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.activity.ActivityTracker;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.engine.LaunchRequest;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.io.OutputBudget;
import dev.descartes.runner.internal.io.Transcript;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.sandbox.OpenSandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);

  /**
   * What the agent needs from its runner.
   *
   * @param config the runner's configuration
   * @param engine starts the process
   * @param background runs exit handling and the initial input
   * @param onTerminal called once, as the status becomes final
   * @param runnerListeners the runner's event listeners, live
   * @param runnerLineListeners the runner's line listeners, live
   * @param limitWatch enforces the runtime and output limits
   * @param outputBudget the memory every output window of the runner shares
   */
  public record Context(
      ProcessRunnerConfig config,
      ProcessEngine engine,
      Executor background,
      Consumer<LocalAgent> onTerminal,
      List<Consumer<? super AgentEvent>> runnerListeners,
      List<LineListener> runnerLineListeners,
      LimitWatch limitWatch,
      OutputBudget outputBudget) {}

  private final AgentId id;
  private final long spawnSeq;
  private final Spawner.Plan plan;
  private final AgentConfig config;
  private final Context ctx;
  private final Optional<OpenSandbox> sandbox;
  private final EventDispatch events;
  private final AgentLimits limits;
  private final AgentExit exitHandling;
  private final AgentStdin stdin;
  private final AgentFacts facts;
  private final PendingStops pending = new PendingStops();
  private final AtomicReference<AgentStatus> status = new AtomicReference<>(AgentStatus.STARTING);
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean finalizing = new AtomicBoolean();
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

  /** Counted down with {@link #exit}: a timed wait without an exception per timeout. */
  private final CountDownLatch ended = new CountDownLatch(1);

  private final AgentStreams streams;
  private final OutputPipeline stdout;
  private final OutputPipeline stderr;

  private volatile ChildProcess child;

  /** The agent's own process: the leader, or the one bubblewrap runs in a PID namespace. */
  private volatile long agentPid = -1;

  private volatile AgentTree tree;
  private volatile AgentEvent.Started started;
  private volatile AgentEvent.Exited exited;

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
    this.limits =
        new AgentLimits(id, config.name(), config.limits().orElse(rc.limits()), ctx.background());
    CliProtocol cli = plan.cli();
    Optional<LocalSession> session =
        cli.session().map(p -> new LocalSession(this, p, cli.firstMessageSent()));
    this.events =
        new EventDispatch(
            id,
            config.name(),
            rc.enableJsonStreaming(),
            cli,
            ctx.runnerListeners(),
            ctx.runnerLineListeners(),
            session);
    this.streams =
        new AgentStreams(
            id, config.name(), rc, ctx.outputBudget(), outTranscript, errTranscript, events);
    this.stdout = streams.out();
    this.stderr = streams.err();
    this.exitHandling = new AgentExit(id, config.name(), rc, sandbox, stdout, stderr, limits);
    this.stdin = new AgentStdin(id, config.name());
    this.facts =
        new AgentFacts(id, config, limits.limits(), stdout, stderr, stdin, events.activity());
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
    try (var _ = mdc()) {
      launch(beforeOutput);
    }
  }

  /** Puts this agent's id and name on the log lines of the calling thread until closed. */
  private AgentMdc mdc() {
    return AgentMdc.of(id, config.name());
  }

  private void launch(Consumer<? super AgentHandle> beforeOutput) throws IOException {
    LaunchSpec spec = plan.spec();
    LaunchRequest request =
        new LaunchRequest(
            sandbox.map(OpenSandbox::argv).orElse(plan.argv()),
            sandbox.map(OpenSandbox::environment).orElse(plan.environment()),
            plan.workingDir(),
            stdout,
            stderr);
    Containment.Contained launched =
        Containment.start(
            id,
            config,
            limits.limits(),
            ctx.config().cgroupContainment(),
            sandbox.isPresent(),
            ctx.engine(),
            request,
            c -> {
              child = c;
              facts.started();
            });
    ChildProcess c = launched.child();
    tree = launched.tree();
    agentPid = launched.agentPid();
    exitHandling.wrapped(launched.wrapped());
    ctx.limitWatch().watch(this, limits.limits());
    status.compareAndSet(AgentStatus.STARTING, AgentStatus.RUNNING);
    pending.ready(this::kill, this::signal);
    started = new AgentEvent.Started(id, facts.startedAt(), agentPid);
    events.emit(started);
    try {
      beforeOutput.accept(this);
    } catch (Throwable e) {
      LOG.warn("agent {}: the spawn's beforeOutput callback threw {}", id, e.toString());
    }
    c.startOutput();
    c.onExit()
        .whenComplete(
            (st, err) ->
                ctx.background()
                    .execute(
                        () -> {
                          try (var _ = mdc()) {
                            finish(st, err);
                          }
                        }));
    stdin.attach(c, spec, ctx.background());
  }

  // ---- exit ----

  private void finish(ExitStatus raw, Throwable err) {
    if (!finalizing.compareAndSet(false, true)) {
      return;
    }
    try {
      exitHandling.cleanUp(tree, child, stopRequested.get());
    } finally {
      ExitStatus st = exitHandling.result(child, raw, err);
      facts.ended(st);
      boolean limited = events.agentExited(st, stopRequested.get(), limits.hit(), limits.message());
      AgentStatus terminal = AgentExit.terminalStatus(limited, stopRequested.get(), st);
      status.set(terminal);
      child.closeStdin();
      ctx.onTerminal().accept(this);
      exited = new AgentEvent.Exited(id, facts.endedAt(), st, terminal);
      events.emit(exited);
      exit.complete(st);
      ended.countDown();
      events.agentEnded(st);
    }
  }

  // ---- control ----

  @Override
  public void requestStop() {
    stopRequested.set(true);
    status.updateAndGet(s -> s.isTerminal() ? s : AgentStatus.STOPPING);
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
    exitHandling.signalSent(signal.number());
    if (!pending.signal(signal)) {
      return; // STARTING: sent by start() once the process exists
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
    exitHandling.signalSent(AgentSignal.KILL.number());
    if (!pending.kill()) {
      return; // STARTING: start() carries it out once the process exists
    }
    AgentTree t = tree;
    RuntimeException failure = null;
    try {
      if (t != null) {
        t.killAll(REAP_TIMEOUT);
      }
    } catch (AgentException.KillFailed e) {
      status.compareAndSet(AgentStatus.STOPPING, AgentStatus.KILL_FAILED);
      throw new AgentException.KillFailed(
          "could not kill agent "
              + id
              + " ("
              + config.name()
              + "): "
              + e.getMessage()
              + "; find what holds them (a frozen cgroup, uninterruptible sleep), then call"
              + " kill() again",
          e);
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
    if (AgentExit.awaitGone(c, REAP_TIMEOUT)) {
      return;
    }
    status.compareAndSet(AgentStatus.STOPPING, AgentStatus.KILL_FAILED);
    throw exitHandling.killFailed(c.pid(), failure);
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
              + facts.exitStatus()
              + "); nothing can be written to it any more");
    }
    stdin.write(data);
  }

  @Override
  public void closeStdin() {
    stdin.close();
  }

  @Override
  public boolean isStdinOpen() {
    return !status.get().isTerminal() && stdin.isOpen();
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
  public Iterable<AgentEvent> events(OutputDelivery delivery) {
    boolean everyLine = delivery == OutputDelivery.EVERY_LINE;
    return () -> events.newReader(this, stdout.log(), everyLine, false);
  }

  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener, OutputDelivery delivery) {
    if (delivery == OutputDelivery.EVERY_LINE) {
      return onEvent(listener);
    }
    return LatestListener.start(this, events.newReader(this, stdout.log(), false, true), listener);
  }

  @Override
  public AgentOutput stdout(OutputDelivery delivery) {
    return streams.stdout(delivery);
  }

  @Override
  public AgentOutput stderr(OutputDelivery delivery) {
    return streams.stderr(delivery);
  }

  /** The runner forgets this agent: its windows' memory goes back to the budget. */
  void releaseOutput() {
    streams.release();
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
    try (var _ = mdc()) {
      return stopSequence(timeout).shutdown(this);
    }
  }

  /** Completes once the backend's initial input is written (at once when there is none). */
  CompletableFuture<Void> initialInputWritten() {
    return stdin.initialInputWritten();
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
    return agentPid;
  }

  /** This agent's stop sequence for {@code timeout}: its backend's, or the default. */
  public GracefulShutdown stopSequence(Duration timeout) {
    return plan.stopSequence().apply(timeout);
  }

  /**
   * The first step of {@link #kill()}, for many agents at once: SIGKILL to the main process,
   * without waiting, where the agent's cgroup holds its tree: its exit handling then sweeps the
   * rest of the group, as a stop was asked for. Nothing for other agents, or before the process
   * exists.
   *
   * @return whether the SIGKILL was sent (if not, the agent needs {@link #kill()} if still running)
   */
  boolean killMainNow() {
    ChildProcess c = child;
    if (c == null || status.get().isTerminal() || !(tree instanceof CgroupAgentTree)) {
      return false;
    }
    requestStop();
    exitHandling.signalSent(AgentSignal.KILL.number());
    c.killNow();
    return true;
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
    if (!ended.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(exit.get());
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
    return streams.stdout();
  }

  @Override
  public AgentOutput stderr() {
    return streams.stderr();
  }

  @Override
  public AgentInfo info() {
    ChildProcess c = child;
    return facts.info(status.get(), agentPid);
  }

  /** The limits in force for this agent: its own, each unset one from the runner's. */
  ResourceLimits limits() {
    return limits.limits();
  }

  long stdoutBytes() {
    return stdout.bytes();
  }

  long stderrBytes() {
    return stderr.bytes();
  }

  /** What the agent is doing, from its events. */
  ActivityTracker activityTracker() {
    return events.activity();
  }

  /** Called once a limit the runner enforces is passed: stops the agent with its stop sequence. */
  void limitReached(AgentOutcome.ErrorKind kind, String message) {
    if (!status.get().isTerminal()) {
      limits.reached(kind, message, this::stop);
    }
  }

  /** Called by the health monitor; a check that could not read the usage keeps the last one. */
  void recordHealth(HealthSample sample) {
    facts.recordHealth(sample);
  }

  @Override
  public String toString() {
    return "Agent[" + id + ", " + config.name() + ", " + status.get() + "]";
  }
}
