package dev.descartes.runner.internal;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentHealth;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentMetrics;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.ProcessState;
import dev.descartes.runner.ResourceUsage;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.engine.LaunchRequest;
import dev.descartes.runner.internal.engine.ProcessEngine;
import dev.descartes.runner.internal.engine.SpawnThread;
import dev.descartes.runner.internal.io.LineLog;
import dev.descartes.runner.internal.io.Transcript;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcSnapshot;
import dev.descartes.runner.internal.os.ProcStat;
import dev.descartes.runner.internal.os.ProcessTree;
import dev.descartes.runner.internal.sandbox.OpenSandbox;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * One agent: its process, output pipelines, status machine and tree. The status moves by
 * compare-and-set only; the terminal status is set once, by the single exit finalizer, before
 * {@link #onExit()} completes.
 */
public final class LocalAgent implements AgentHandle {

  private static final Logger LOG = LoggerFactory.getLogger(LocalAgent.class);
  private static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);

  /** What the agent needs from its runner. */
  public record Context(
      ProcessEngine engine,
      Executor background,
      Consumer<LocalAgent> onTerminal,
      List<Consumer<? super AgentEvent>> runnerListeners,
      java.util.function.Function<Duration, dev.descartes.runner.GracefulShutdown> stopSequence,
      boolean jsonStreaming,
      boolean killOrphansOnExit,
      Duration drainTimeout,
      long windowBytes,
      long pinnedHeadBytes,
      int maxLineBytes,
      CliProtocol cli,
      Optional<OpenSandbox> sandbox,
      dev.descartes.runner.internal.io.OutputBudget outputBudget) {}

  private final AgentId id;
  private final long spawnSeq;
  private final AgentConfig config;
  private final Context ctx;
  private final EventDecoder decoder;
  private final AtomicReference<AgentStatus> status = new AtomicReference<>(AgentStatus.STARTING);
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean finalizing = new AtomicBoolean();
  private final Set<Integer> sentSignals = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private final CopyOnWriteArrayList<Consumer<? super AgentEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong stdinLines = new AtomicLong();
  private final OutputPipeline stdout;
  private final OutputPipeline stderr;
  private final SharedReader stdoutReader;
  private final SharedReader stderrReader;
  private final EventDecoder jsonDecoder;
  private final dev.descartes.runner.AgentEventParser dispatchParser;
  private final OutcomeTracker outcomeTracker;
  private final LocalSession session;
  private volatile dev.descartes.runner.AgentOutcome outcome;
  private final CompletableFuture<Void> initialInputWritten = new CompletableFuture<>();

  /** A kill asked for while STARTING: carried out the moment the process exists. */
  private volatile boolean killPending;
  /** A signal asked for while STARTING: sent the moment the process exists. */
  private volatile AgentSignal signalPending;
  /** Set once child and tree are in place; pending requests are checked after it. */
  private volatile boolean processReady;
  private volatile ChildProcess child;
  private volatile ProcessTree tree;
  private volatile Instant startedAt = Instant.now();
  private volatile long startNanos = System.nanoTime();
  private volatile AgentEvent.Started started;
  private volatile AgentEvent.Exited exited;
  private volatile ExitStatus exitStatus;
  private volatile Instant endedAt;
  private volatile long endNanos;
  private volatile ProcessState lastState = ProcessState.UNKNOWN;
  private volatile Instant lastCheck;
  private volatile ResourceUsage lastUsage;

  LocalAgent(AgentId id, long spawnSeq, AgentConfig config, Context ctx, Transcript outTranscript,
      Transcript errTranscript) {
    this.id = id;
    this.spawnSeq = spawnSeq;
    this.config = config;
    this.ctx = ctx;
    this.decoder = new EventDecoder(id, ctx.jsonStreaming());
    this.stdout = new OutputPipeline(ctx.windowBytes(), ctx.pinnedHeadBytes(), ctx.outputBudget(),
        ctx.maxLineBytes(), outTranscript, this::dispatchLine);
    this.stderr = new OutputPipeline(ctx.windowBytes(), 0, ctx.outputBudget(), ctx.maxLineBytes(),
        errTranscript, null);
    this.stdoutReader = new SharedReader(stdout);
    this.stderrReader = new SharedReader(stderr);
    this.jsonDecoder = new EventDecoder(id, true);
    this.dispatchParser = ctx.cli().parsers().get();
    this.outcomeTracker = new OutcomeTracker(dispatchParser.reportsResults());
    this.session = ctx.cli().session()
        .map(p -> new LocalSession(this, p, ctx.cli().firstMessageSent())).orElse(null);
  }

  /** Starts the process; on failure nothing is left running and the caller frees the slot. */
  void start(List<String> argv, java.util.Map<String, String> env, java.nio.file.Path cwd, LaunchSpec spec)
      throws IOException {
    start(argv, env, cwd, spec, a -> { });
  }

  /**
   * Starts the process; {@code beforeOutput} gets the handle once the process exists and before the
   * first byte of its output is delivered (readers it opens see every line from the first).
   */
  void start(List<String> argv, java.util.Map<String, String> env, java.nio.file.Path cwd, LaunchSpec spec,
      Consumer<? super AgentHandle> beforeOutput) throws IOException {
    LaunchRequest request = new LaunchRequest(argv, env, cwd, stdout, stderr);
    ChildProcess c = ctx.sandbox().isPresent()
        ? SpawnThread.call(() -> ctx.engine().start(request))
        : ctx.engine().start(request);
    child = c;
    startedAt = Instant.now();
    startNanos = System.nanoTime();
    if (Platform.isLinux()) {
      tree = ProcessTree.of(c.pid(), ChildEnvironment.COOKIE, id.toString(), ctx.sandbox().isPresent())
          .orElse(null);
    }
    status.compareAndSet(AgentStatus.STARTING, AgentStatus.RUNNING);
    processReady = true;
    carryOutPendingStop();
    started = new AgentEvent.Started(id, startedAt, c.pid());
    emit(started);
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
      ctx.background().execute(() -> {
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
      ProcessTree t = tree;
      if (t != null) {
        t.leaderExited();
        if (ctx.killOrphansOnExit() || stopRequested.get()) {
          int killed = t.killAll(REAP_TIMEOUT);
          if (killed > 0) {
            LOG.debug("agent {} ({}): killed {} leftover processes of its tree", id, config.name(), killed);
          }
        }
      }
      drainOutput();
    } catch (RuntimeException e) {
      LOG.warn("agent {} ({}): cleanup after exit failed: {}", id, config.name(), e.toString());
    } finally {
      ctx.sandbox().ifPresent(OpenSandbox::close);
      ExitStatus st = raw != null ? interpret(raw) : ExitStatus.exited(-1);
      if (err != null) {
        LOG.warn("agent {} ({}): exit status unavailable: {}", id, config.name(), err.toString());
      }
      exitStatus = st;
      endNanos = System.nanoTime();
      endedAt = Instant.now();
      AgentStatus terminal = stopRequested.get() ? AgentStatus.TERMINATED
          : st.success() ? AgentStatus.COMPLETED : AgentStatus.FAILED;
      outcome = outcomeTracker.finish(st, stopRequested.get());
      status.set(terminal);
      child.closeStdin();
      ctx.onTerminal().accept(this);
      exited = new AgentEvent.Exited(id, endedAt, st, terminal);
      emit(exited);
      exit.complete(st);
      if (session != null) {
        session.agentEnded(st.toString());
      }
    }
  }

  /**
   * Waits for both streams to end. The timeout runs while nothing happens: an every-line reader
   * that is still reading what the agent wrote before it exited gets all the time it needs.
   */
  private void drainOutput() {
    CompletableFuture<Void> both = CompletableFuture.allOf(stdout.ended(), stderr.ended());
    try {
      OutputPipeline.awaitEnded(both, ctx.drainTimeout(), stdout, stderr);
    } catch (TimeoutException e) {
      LOG.warn("agent {} ({}): output still open {} after exit (a process outside its tree holds the "
          + "pipe); later output is not read", id, config.name(), ctx.drainTimeout());
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
    if ((child.reportsSignalsExactly() && ctx.sandbox().isEmpty()) || raw.code().isEmpty()) {
      return raw;
    }
    int code = raw.code().getAsInt();
    if (code > 128 && code < 128 + 65 && sentSignals.contains(code - 128)) {
      return ExitStatus.signalled(code - 128);
    }
    return raw;
  }

  // ---- control ----

  /** Marks a deliberate stop: the end will be {@code TERMINATED}. */
  void requestStop() {
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
    if (!Platform.hasPosixSignals() && signal != AgentSignal.TERMINATE && signal != AgentSignal.KILL) {
      throw new AgentException.Execution(signal + " is unsupported on this platform ("
          + System.getProperty("os.name") + "); only TERMINATE and KILL are available here");
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
    ProcessTree t = tree;
    if (t != null) {
      switch (signal) {
        case INTERRUPT, TERMINATE -> t.signalGroup(signal.number());
        case PAUSE -> {
          t.signalAll(signal.number());
          status.compareAndSet(AgentStatus.RUNNING, AgentStatus.PAUSED);
        }
        case RESUME -> {
          t.signalAll(signal.number());
          status.compareAndSet(AgentStatus.PAUSED, AgentStatus.RUNNING);
        }
        case KILL -> throw new AssertionError();
      }
      return;
    }
    signalPortably(signal);
  }

  private void signalPortably(AgentSignal signal) {
    Optional<ProcessHandle> leader = ProcessHandle.of(pid());
    switch (signal) {
      case TERMINATE -> {
        leader.ifPresent(h -> h.descendants().forEach(ProcessHandle::destroy));
        leader.ifPresent(ProcessHandle::destroy);
      }
      default -> throw new AgentException.Execution(signal + " is unsupported on this platform ("
          + System.getProperty("os.name") + "); only TERMINATE and KILL are available here");
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
    ProcessTree t = tree;
    RuntimeException failure = null;
    try {
      if (t != null) {
        t.killAll(REAP_TIMEOUT);
      } else if (child != null) {
        ProcessHandle.of(pid()).ifPresent(h -> {
          h.descendants().forEach(ProcessHandle::destroyForcibly);
          h.destroyForcibly();
        });
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
    throw new AgentException.KillFailed("could not kill agent " + id + " (" + config.name() + "): its process "
        + c.pid() + " is still alive " + REAP_TIMEOUT.toSeconds() + " s after SIGKILL" + why
        + "; raise the runner's limits (ulimit -n), then call kill() again", failure);
  }

  /**
   * {@code " (the runner cannot open files: Too many open files)"}, or empty if it can. A runner out
   * of descriptors cannot load classes either: what this path needs is loaded with this class.
   */
  private static String whyFilesCannotOpen() {
    try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/self/stat"))) {
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
      throw new AgentException.Communication("agent " + id + " (" + config.name() + ") has exited ("
          + exitStatus + "); nothing can be written to it any more");
    }
    try {
      child.writeStdin(data);
      stdinLines.addAndGet(countLines(data));
    } catch (IOException e) {
      throw new AgentException.Communication("cannot write to the stdin of agent " + id + " ("
          + config.name() + "): " + (e.getMessage() == null ? e.toString() : e.getMessage())
          + "; it was closed (closeStdin(), or the backend closes it for one-shot CLIs) or the agent "
          + "exited", e);
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

  /**
   * Every stdout line, on the thread that reads it: parsed for the outcome and the session whatever
   * the listeners, then delivered to the listeners.
   */
  private void dispatchLine(LineLog.Entry entry) {
    boolean listening = !listeners.isEmpty() || !ctx.runnerListeners().isEmpty();
    if (!dispatchParser.reportsResults()) {
      if (listening) {
        emit(decoder.decode(entry));
      }
      return;
    }
    List<AgentEvent> events = jsonDecoder.decode(entry, dispatchParser);
    for (AgentEvent e : events) {
      if (e instanceof AgentEvent.Normalized n) {
        outcomeTracker.accept(n);
        if (session != null) {
          session.accept(n);
        }
      }
    }
    if (listening) {
      if (ctx.jsonStreaming()) {
        events.forEach(this::emit);
      } else {
        emit(decoder.decode(entry));
      }
    }
  }

  private void emit(AgentEvent event) {
    for (Consumer<? super AgentEvent> l : ctx.runnerListeners()) {
      deliver(l, event);
    }
    for (Consumer<? super AgentEvent> l : listeners) {
      deliver(l, event);
    }
  }

  private void deliver(Consumer<? super AgentEvent> l, AgentEvent event) {
    try {
      l.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("agent {}: event listener threw {}; delivery goes on", id, e.toString());
    }
  }

  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener, dev.descartes.runner.OutputDelivery delivery) {
    if (delivery == dev.descartes.runner.OutputDelivery.EVERY_LINE) {
      return onEvent(listener);
    }
    return LatestListener.start(this, new EventIterator(this, stdout.log(), decoder, eventParser(), false, true),
        listener);
  }

  @Override
  public Iterable<AgentEvent> events(dev.descartes.runner.OutputDelivery delivery) {
    boolean everyLine = delivery == dev.descartes.runner.OutputDelivery.EVERY_LINE;
    return () -> new EventIterator(this, stdout.log(), decoder, eventParser(), everyLine, false);
  }

  private dev.descartes.runner.AgentEventParser eventParser() {
    return ctx.jsonStreaming() ? ctx.cli().parsers().get() : dev.descartes.runner.AgentEventParser.none();
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
  public Iterable<AgentEvent> events() {
    return () -> new EventIterator(this, stdout.log(), decoder,
        ctx.jsonStreaming() ? ctx.cli().parsers().get() : dev.descartes.runner.AgentEventParser.none());
  }

  @Override
  public Optional<dev.descartes.runner.AgentOutcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  @Override
  public Optional<dev.descartes.runner.AgentSession> session() {
    return Optional.ofNullable(session);
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
  public dev.descartes.runner.GracefulShutdown stopSequence(Duration timeout) {
    return ctx.stopSequence().apply(timeout);
  }

  Optional<ProcessTree> tree() {
    return Optional.ofNullable(tree);
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
    ProcessState state = s.isTerminal() ? ProcessState.EXITED : lastState;
    AgentHealth health = new AgentHealth(state, lastOut, Optional.ofNullable(lastCheck));
    AgentMetrics metrics = new AgentMetrics(Duration.ofNanos(Math.max(0, end - startNanos)),
        stdinLines.get(), stdout.lines(), stderr.lines(), stdout.bytes(), stderr.bytes(),
        Optional.ofNullable(lastUsage));
    return new AgentInfo(id, config.name(), config.modelBackend(), config.task(), s,
        child == null ? -1 : child.pid(), startedAt, Optional.ofNullable(st), Optional.ofNullable(endedAt),
        health, metrics);
  }

  private static Optional<Instant> latest(Optional<Long> a, Optional<Long> b) {
    long t = Math.max(a.orElse(0L), b.orElse(0L));
    return t == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t));
  }

  /** Called by the health monitor with one read of {@code /proc} shared by every agent. */
  void healthCheck(ProcSnapshot snapshot, Instant now) {
    if (status.get().isTerminal() || child == null) {
      return; // not started yet, or over
    }
    ProcessTree t = tree;
    if (t != null) {
      List<ProcStat> members = t.members(snapshot);
      long cpu = 0;
      long rss = 0;
      ProcessState state = ProcessState.EXITED;
      for (ProcStat p : members) {
        cpu += p.cpuTicks();
        rss += p.rssPages();
        if (p.pid() == t.leaderPid()) {
          state = toState(p.state());
        }
      }
      lastState = state;
      lastUsage = new ResourceUsage(Duration.ofMillis(cpu * 1000 / ProcFs.TICKS_PER_SECOND),
          rss * ProcFs.PAGE_SIZE, members.size(), now);
    } else {
      Optional<ProcessHandle> h = ProcessHandle.of(pid());
      lastState = h.map(p -> p.isAlive() ? ProcessState.RUNNING : ProcessState.EXITED).orElse(ProcessState.EXITED);
      h.ifPresent(p -> p.info().totalCpuDuration().ifPresent(cpu ->
          lastUsage = new ResourceUsage(cpu, -1, 1 + (int) p.descendants().count(), now)));
    }
    lastCheck = now;
  }

  private static ProcessState toState(char c) {
    return switch (c) {
      case 'R' -> ProcessState.RUNNING;
      case 'S', 'I' -> ProcessState.SLEEPING;
      case 'D' -> ProcessState.DISK_WAIT;
      case 'T', 't' -> ProcessState.STOPPED;
      case 'Z', 'X' -> ProcessState.ZOMBIE;
      default -> ProcessState.UNKNOWN;
    };
  }

  @Override
  public String toString() {
    return "Agent[" + id + ", " + config.name() + ", " + status.get() + "]";
  }
}
