package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.OutputLine;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.SupervisedAgent;
import dev.descartes.runner.WorktreeReport;
import dev.descartes.runner.Worktrees;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a {@link Fleet} to the end: starts its agents in order under the concurrency cap, renders
 * each one's output as it comes (prefixed with its name in its colour when there are several),
 * keeps the status line up to date on a terminal, stops everything gracefully on the first Ctrl+C
 * and kills it on the second, and prints the summary. One instance per run.
 */
final class FleetRunner {

  /** How long an agent may wait for a slot under the cap: in effect, until the run is stopped. */
  private static final Duration SLOT_WAIT = Duration.ofDays(365);

  private static final Duration OUTPUT_POLL = Duration.ofMillis(250);
  private static final long STATUS_PERIOD_MS = 100;

  private final Fleet fleet;
  private final Renderer.Mode mode;
  private final Screen screen;
  private final List<AgentTally> agents = new ArrayList<>();
  private final List<Renderer> renderers = new ArrayList<>();
  private final CountDownLatch finished;
  private final Instant start = Instant.now();
  // Lock order: never take the Screen's lock while holding this one (the status line reads state
  // under the Screen's lock). It only makes "check stopping, then register a started agent" atomic.
  private final Object lock = new Object();
  private volatile boolean stopping; // written under lock
  private volatile AgentRunner runner;
  private volatile RuntimeException singleSpawnFailure;
  private volatile Thread launcher;
  private volatile List<AgentConfig> launchConfigs;
  private final java.util.Map<AgentTally, SupervisedAgent> supervisors =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param fleet a fleet that passed {@link Preflight}
   * @param prefix lead each {@code --raw} line of a fleet with its agent's name
   */
  FleetRunner(Fleet fleet, Renderer.Mode mode, boolean prefix, Screen screen) {
    this.fleet = fleet;
    this.mode = mode;
    this.screen = screen;
    int width = fleet.agents().stream().mapToInt(a -> a.name().length()).max().orElse(0);
    boolean prefixed =
        !fleet.single() && (mode == Renderer.Mode.HUMAN || mode == Renderer.Mode.RAW && prefix);
    for (int i = 0; i < fleet.agents().size(); i++) {
      AgentTally t = new AgentTally(i, fleet.agents().get(i));
      agents.add(t);
      AgentSink sink =
          prefixed ? AgentSink.prefixed(screen, t.name(), i, width) : AgentSink.plain(screen);
      renderers.add(mode.create(sink, t));
    }
    finished = new CountDownLatch(agents.size());
    screen.onFailure(this::outputFailed);
  }

  /**
   * Runs every agent to its end.
   *
   * @return the command's exit code: for one agent its own outcome, for a fleet 0 only if every
   *     agent completed, 130 after Ctrl+C
   * @throws InputError if the single agent of a command-line run cannot start
   */
  int run() {
    ProcessRunnerConfig.Builder config =
        ProcessRunnerConfig.builder().shutdownTimeout(fleet.stop().timeout());
    fleet.maxConcurrency().ifPresent(config::maxConcurrentAgents);
    fleet.budget().ifPresent(config::budgetUsd);
    try (Worktrees worktrees = prepareWorktrees();
        AgentRunner r =
            fleet
                .kubernetes()
                .map(FleetKubernetes.Settings::open)
                .orElseGet(() -> new LocalProcessRunner(config.build()))) {
      launchConfigs = worktrees.agents();
      runner = r;
      try (Interrupts ctrlC = Interrupts.install(this::stopOnSignal, this::killAll)) {
        announce();
        launcher = Thread.ofPlatform().name("descartes-launcher").start(this::launchAll);
        ScheduledExecutorService ticker = startStatusLine();
        awaitUninterruptibly();
        if (ticker != null) {
          ticker.shutdownNow();
        }
        if (singleSpawnFailure != null) {
          throw InputError.unavailable(
              "",
              "the agent could not start: " + singleSpawnFailure.getMessage(),
              "check its settings ('descartes backends' shows what is installed)");
        }
        screen.clearStatus();
        summarize();
        reportWorktrees(worktrees);
        return exitCode(ctrlC.first());
      }
    }
  }

  private void announce() {
    if (!fleet.single() && mode == Renderer.Mode.HUMAN) {
      screen.line(
          true,
          screen
              .theme()
              .paint(
                  Style.DIM,
                  "Running "
                      + count(agents.size())
                      + " from "
                      + fleet.source().orElse("")
                      + fleet.maxConcurrency().stream()
                          .mapToObj(n -> ", " + n + " at a time")
                          .findFirst()
                          .orElse("")
                      + (agents.size() == 1 ? ". Ctrl+C stops it." : ". Ctrl+C stops them.")));
    }
  }

  private void launchAll() {
    for (int i = 0; i < agents.size(); i++) {
      AgentTally t = agents.get(i);
      Renderer r = renderers.get(i);
      if (stopping) {
        t.notStarted();
        end(t, r);
        continue;
      }
      AgentHandle h;
      SupervisedAgent supervised = null;
      Readers[] opened = new Readers[1];
      try {
        AgentConfig cfg = launchConfigs.get(i);
        RestartPolicy policy = fleet.restarts().get(i);
        if (policy.mode() != RestartPolicy.Mode.NEVER) {
          supervised = SupervisedAgent.start(runner, cfg, policy, SLOT_WAIT);
          h = supervised.current();
        } else if (runner instanceof LocalProcessRunner local) {
          // the readers are opened before the agent's first byte is delivered: every line from the
          // first
          h = local.spawn(cfg, SLOT_WAIT, a -> opened[0] = Readers.open(a, r.wantsStdout()));
        } else { // a Pod agent keeps every line and event from the first: its readers may open
          // after spawn
          h = runner.spawn(cfg, SLOT_WAIT);
          try {
            opened[0] = Readers.open(h, r.wantsStdout());
          } catch (RuntimeException e) {
            h.kill();
            throw e;
          }
        }
      } catch (InterruptedException e) {
        t.notStarted(); // stopped while it waited for a slot
        end(t, r);
        continue;
      } catch (RuntimeException e) {
        // an AgentException is bad input; anything else is a fault of the runner, which must still
        // end this agent's line rather than leave the command waiting for it
        t.spawnFailed(e instanceof AgentException ? e.getMessage() : "could not start: " + e);
        if (fleet.single()) { // bad input for the one agent: run() reports it as such
          singleSpawnFailure = e;
          finished.countDown();
        } else {
          end(t, r);
        }
        continue;
      }
      Readers readers = opened[0];
      boolean stopNow;
      synchronized (lock) { // with stop(): whichever comes second stops this agent
        if (supervised != null) {
          supervisors.put(t, supervised);
        }
        t.started(h);
        stopNow = stopping;
      }
      SupervisedAgent sa = supervised;
      Thread.ofVirtual()
          .name("descartes-events-" + t.name())
          .start(
              () -> {
                if (sa == null) {
                  follow(t, h, r, readers);
                } else {
                  followRuns(t, sa, r);
                }
              });
      if (stopNow) { // stop() came first and did not see this agent: no restart either
        Thread.ofVirtual().start(() -> stopAgents(List.of(h)));
        if (sa != null) {
          stopSupervised(List.of(sa));
        }
      }
    }
  }

  /**
   * One agent's every-line readers, opened as soon as it is spawned: the command shows every line
   * the agent writes, and the agent waits in {@code write} while the command's own output is slow.
   */
  private record Readers(Iterator<AgentEvent> events, AgentOutput stderr, AgentOutput stdout)
      implements AutoCloseable {
    static Readers open(AgentHandle h, boolean stdout) {
      return new Readers(
          h.events(OutputDelivery.EVERY_LINE).iterator(),
          h.stderr(OutputDelivery.EVERY_LINE),
          stdout ? h.stdout(OutputDelivery.EVERY_LINE) : null);
    }

    @Override
    public void close() {
      if (events instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // closing a reader only lets the agent go
        }
      }
      stderr.close();
      if (stdout != null) {
        stdout.close();
      }
    }
  }

  /** Renders one agent's events and stderr until it has exited. */
  private void follow(AgentTally t, AgentHandle h, Renderer r, Readers readers) {
    try (readers) {
      Thread stderr =
          Thread.ofVirtual()
              .name("descartes-err-" + t.name())
              .start(() -> drain(readers.stderr(), r::stderr));
      Thread stdout =
          readers.stdout() != null
              ? Thread.ofVirtual()
                  .name("descartes-out-" + t.name())
                  .start(() -> drain(readers.stdout(), r::stdout))
              : null;
      Activities activities = new Activities();
      while (readers.events().hasNext()) {
        AgentEvent e = readers.events().next();
        List<Activity> now = activities.of(e);
        now.forEach(t::record);
        r.event(e, now);
        if (e instanceof AgentEvent.Exited x) {
          joinUninterruptibly(stderr);
          if (stdout != null) {
            joinUninterruptibly(stdout);
          }
          t.exited(x, h.outcome());
        }
      }
    }
    end(t, r);
  }

  /**
   * Renders every run of a supervised agent: a note before each restart, and the agent's end once
   * no run follows.
   */
  private void followRuns(AgentTally t, SupervisedAgent sa, Renderer r) {
    java.util.concurrent.LinkedBlockingQueue<AgentHandle> runs =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.Set<AgentHandle> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AutoCloseable l1 =
        sa.onRun(
            h -> {
              if (seen.add(h)) {
                runs.add(h);
              }
            });
    AutoCloseable l2 =
        sa.onRestart(
            rs ->
                note(
                    t.name()
                        + ": restart "
                        + rs.number()
                        + " in "
                        + Durations.format(rs.delay())
                        + (rs.rateLimited() ? " (rate limit)" : "")
                        + rs.resumedSession().map(s -> ", resuming session " + s).orElse("")
                        + "; the last run ended: "
                        + AgentTally.firstLine(rs.reason())));
    try {
      AgentHandle h = null;
      AgentEvent.Exited last = null;
      while (true) {
        AgentHandle next = runs.poll(OUTPUT_POLL.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
          if (sa.onEnd().isDone() && runs.isEmpty()) {
            break;
          }
          continue;
        }
        h = next;
        synchronized (lock) {
          t.started(h);
        }
        last = render(t, h, r);
      }
      t.restarts(sa.restarts(), sa.onEnd().join().reason());
      if (last != null) {
        t.exited(last, h.outcome());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close(l1);
      close(l2);
    }
    end(t, r);
  }

  private static void close(AutoCloseable listener) {
    try {
      listener.close();
    } catch (Exception e) {
      // removing a listener cannot fail in a way that matters here
    }
  }

  /** Renders one run's events and output until it has exited; its Exited event. */
  private AgentEvent.Exited render(AgentTally t, AgentHandle h, Renderer r) {
    Thread stderr =
        Thread.ofVirtual()
            .name("descartes-err-" + t.name())
            .start(() -> drain(h.stderr(), r::stderr));
    Thread stdout =
        r.wantsStdout()
            ? Thread.ofVirtual()
                .name("descartes-out-" + t.name())
                .start(() -> drain(h.stdout(), r::stdout))
            : null;
    Activities activities = new Activities();
    AgentEvent.Exited exited = null;
    for (AgentEvent e : h.events()) {
      List<Activity> now = activities.of(e);
      now.forEach(t::record);
      if (e instanceof AgentEvent.Exited x) {
        exited = x;
        joinUninterruptibly(stderr);
        if (stdout != null) {
          joinUninterruptibly(stdout);
        }
      } else {
        r.event(e, now);
      }
    }
    return exited;
  }

  /** The worktrees of the agents that asked for one, made before any agent starts. */
  private Worktrees prepareWorktrees() {
    try {
      return Worktrees.prepare(fleet.name(), fleet.agents());
    } catch (AgentException.WorkspaceFailed e) {
      int i = 0;
      while (i < fleet.agents().size() && !fleet.agents().get(i).name().equals(e.agent())) {
        i++;
      }
      String where = i < fleet.origins().size() ? fleet.origins().get(i).at("workspace") : "";
      String m = e.getMessage();
      int fix = m.lastIndexOf("; ");
      Problem.Kind kind =
          e.reason() == AgentException.WorkspaceFailed.Reason.NOT_A_REPOSITORY
              ? (fleet.single() ? Problem.Kind.USAGE : Problem.Kind.DATA)
              : Problem.Kind.UNAVAILABLE;
      throw new InputError(
          List.of(
              new Problem(
                  kind,
                  where,
                  fix < 0 ? m : m.substring(0, fix),
                  fix < 0 ? "fix the workspace" : m.substring(fix + 2))));
    }
  }

  /** Per agent with a worktree: its branch, commits, diff stat, and whether the worktree stays. */
  private void reportWorktrees(Worktrees worktrees) {
    List<WorktreeReport> reports = worktrees.finish();
    if (reports.isEmpty()) {
      return;
    }
    boolean toErr = mode != Renderer.Mode.HUMAN;
    screen.line(toErr, "");
    for (WorktreeReport w : reports) {
      String stat =
          w.diffStat().lines().reduce((a, b) -> b).map(String::strip).orElse("no changes");
      screen.line(
          toErr,
          w.agent()
              + ": branch "
              + w.branch()
              + ", "
              + (w.commits().size() == 1 ? "1 commit" : w.commits().size() + " commits")
              + ", "
              + stat
              + (w.uncommitted() ? " (uncommitted changes)" : "")
              + "; worktree "
              + (w.removed()
                  ? "removed" + (w.branchDeleted() ? " with its branch" : "")
                  : "kept at " + w.path()));
      for (String c : w.commits()) {
        screen.line(toErr, "  " + c);
      }
    }
  }

  /** Hands every line of {@code output} to {@code sink} until the stream has ended. */
  private static void drain(AgentOutput output, Consumer<OutputLine> sink) {
    try {
      while (true) {
        Optional<OutputLine> line = output.poll(OUTPUT_POLL);
        if (line.isPresent()) {
          sink.accept(line.get());
        } else if (output.isFinished()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void end(AgentTally t, Renderer r) {
    r.finished(t);
    finished.countDown();
    if (t.state() == AgentTally.State.FAILED && fleet.stop().failFast()) {
      stop("agent '" + t.name() + "' failed and failFast is set");
    }
  }

  /** The first SIGINT, SIGTERM or SIGHUP. */
  private void stopOnSignal(Interrupts.Stop s) {
    stop(s.label, "; " + s.again() + " to kill at once");
  }

  /**
   * stdout cannot be written: what is left to show has nowhere to go, so the agents are stopped.
   */
  private void outputFailed(IOException e) {
    String what = brokenPipe(e) ? "closed" : "failed (" + e.getMessage() + ")";
    Thread.ofVirtual().name("descartes-output-failed").start(() -> stop("stdout " + what, ""));
  }

  static boolean brokenPipe(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("Broken pipe");
  }

  private void stop(String why) {
    stop(why, "");
  }

  /**
   * The first stop signal (or failFast, or a write error): no more starts, and every running agent
   * gets its stop sequence.
   */
  private void stop(String why, String hint) {
    List<AgentHandle> live = new ArrayList<>();
    List<SupervisedAgent> supervised;
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      for (AgentTally t : agents) {
        t.handle().filter(h -> h.status().isLive()).ifPresent(live::add);
      }
      // every supervisor registered so far; launchAll stops those registered after this
      supervised = List.copyOf(supervisors.values());
    }
    Fleet.StopPolicy p = fleet.stop();
    note(
        why
            + ": stopping "
            + count(live.size())
            + " gracefully ("
            + p.signal()
                .map(s -> "SIG" + (s.number() == 2 ? "INT" : "TERM"))
                .orElse("each backend's stop signal")
            + ", SIGKILL after "
            + Durations.format(p.timeout())
            + ")"
            + hint);
    Thread l = launcher;
    if (l != null) {
      l.interrupt();
    }
    Thread.ofVirtual().name("descartes-stop").start(() -> stopAgents(live));
    stopSupervised(supervised);
  }

  /**
   * Stops each supervised agent through its supervisor, in the background: its current run, a
   * backoff under way, and every restart.
   */
  private void stopSupervised(List<SupervisedAgent> supervised) {
    Duration timeout = fleet.stop().timeout();
    supervised.forEach(sa -> Thread.ofVirtual().start(() -> sa.stop(timeout)));
  }

  private void stopAgents(List<AgentHandle> handles) {
    Duration timeout = fleet.stop().timeout();
    Optional<GracefulShutdown> custom =
        fleet.stop().signal().map(s -> GracefulShutdown.builder().signal(s).await(timeout).build());
    List<Thread> stoppers = new ArrayList<>();
    for (AgentHandle h :
        handles) { // in parallel; without a signal of its own, each backend's sequence
      stoppers.add(
          Thread.ofVirtual()
              .start(() -> custom.map(g -> g.shutdown(h)).orElseGet(() -> h.stop(timeout))));
    }
    stoppers.forEach(FleetRunner::joinUninterruptibly);
  }

  /** The second stop signal: SIGKILL to every agent's whole process tree. */
  private void killAll(Interrupts.Stop s) {
    synchronized (lock) {
      stopping = true;
    }
    List<AgentHandle> live = new ArrayList<>();
    for (AgentTally t : agents) {
      t.handle().filter(h -> h.status().isLive()).ifPresent(live::add);
    }
    note(s.label + " again: killing " + count(live.size()));
    live.forEach(AgentHandle::kill);
  }

  private ScheduledExecutorService startStatusLine() {
    if (fleet.single() || mode != Renderer.Mode.HUMAN || !screen.terminal().interactive()) {
      return null;
    }
    screen.status(
        () -> {
          Duration elapsed = Duration.between(start, Instant.now());
          return StatusLine.render(
              agents,
              elapsed,
              (int) (elapsed.toMillis() / STATUS_PERIOD_MS),
              stopping,
              screen.terminal(),
              fleet.budget());
        });
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("descartes-status").daemon().factory());
    ticker.scheduleAtFixedRate(
        screen::refreshStatus, STATUS_PERIOD_MS, STATUS_PERIOD_MS, TimeUnit.MILLISECONDS);
    return ticker;
  }

  private void summarize() {
    if (fleet.single()) {
      return;
    }
    boolean toErr = mode != Renderer.Mode.HUMAN; // keep stdout machine-readable
    screen.line(toErr, "");
    for (String line : SummaryTable.render(agents, screen.theme(), screen.terminal().width())) {
      screen.line(toErr, line);
    }
  }

  /**
   * A write error on stdout first (141 for a closed pipe, as Unix tools that die of SIGPIPE; 74 for
   * any other), then the stop signal (128 + its number), then the agents' own outcome.
   */
  private int exitCode(Optional<Interrupts.Stop> signal) {
    Optional<IOException> failure = screen.failure();
    if (failure.isPresent()) {
      return brokenPipe(failure.get()) ? ExitCodes.BROKEN_PIPE : ExitCodes.IO_ERR;
    }
    if (signal.isPresent()) {
      return signal.get().exitCode();
    }
    if (fleet.single()) {
      return agents.getFirst().exitCode();
    }
    return agents.stream().allMatch(a -> a.state() == AgentTally.State.COMPLETED)
        ? ExitCodes.OK
        : ExitCodes.FAILED;
  }

  private void note(String text) {
    screen.line(true, screen.theme().paint(Style.NOTE, text));
  }

  private static String count(int n) {
    return n == 1 ? "1 agent" : n + " agents";
  }

  private void awaitUninterruptibly() {
    uninterruptibly(finished::await);
    uninterruptibly(launcher::join);
  }

  private static void joinUninterruptibly(Thread t) {
    uninterruptibly(t::join);
  }

  /** Something that blocks. */
  private interface Blocking {
    void run() throws InterruptedException;
  }

  /** Waits for {@code b} to finish even if interrupted (keeping the interrupt for later). */
  private static void uninterruptibly(Blocking b) {
    boolean interrupted = false;
    while (true) {
      try {
        b.run();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
