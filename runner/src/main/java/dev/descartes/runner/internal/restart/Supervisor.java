package dev.descartes.runner.internal.restart;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.SupervisedAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SupervisedAgent}: one virtual thread spawns a run, waits for its end, decides by the
 * policy, backs off and spawns again. State changes under {@code this}. Listeners are told under
 * {@code told}, one event at a time and in order; a listener added late is first told the past
 * under the same lock, so it misses no run or restart and sees none twice. Thread-safe.
 */
public final class Supervisor implements SupervisedAgent {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  private final AgentRunner runner;
  private final AgentConfig config;
  private final RestartPolicy policy;
  private final Backoff backoff;
  private final Duration waitForSlot;
  private final List<AgentHandle> runs = new ArrayList<>();
  private final List<Consumer<AgentHandle>> runListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Restart>> restartListeners = new CopyOnWriteArrayList<>();
  private final Object told = new Object();
  private final List<Restart> pastRestarts = new ArrayList<>(); // guarded by told
  private final CompletableFuture<End> end = new CompletableFuture<>();
  private State state = State.RUNNING;
  private int restarts;
  private Instant nextStartAt;
  private boolean stopRequested;
  private Duration stopTimeout = Duration.ofSeconds(5);

  private Supervisor(
      AgentRunner runner, AgentConfig config, RestartPolicy policy, Duration waitForSlot) {
    this.runner = runner;
    this.waitForSlot = waitForSlot;
    this.config = config;
    this.policy = policy;
    this.backoff = new Backoff(policy);
  }

  public static Supervisor start(
      AgentRunner runner, AgentConfig config, RestartPolicy policy, Duration waitForSlot)
      throws InterruptedException {
    Supervisor s = new Supervisor(runner, config, policy, waitForSlot);
    AgentHandle first = s.spawn(config); // a config that cannot start fails here, at once
    s.runs.add(first);
    Thread.ofVirtual()
        .name("descartes-supervisor-" + config.name())
        .start(() -> s.superviseUntilEnd(first));
    return s;
  }

  /**
   * Supervises until the end; a failure of the supervision itself ends it as {@code FAILED}, so
   * that {@link #onEnd()} always completes.
   */
  private void superviseUntilEnd(AgentHandle first) {
    try {
      supervise(first);
    } catch (Throwable t) {
      LOG.error("supervision of {} failed", config.name(), t);
      if (!end.isDone()) {
        finish(State.FAILED, "supervision failed: " + t, current());
      }
    }
  }

  private void supervise(AgentHandle h) {
    int attempt = 0;
    while (true) {
      try {
        h.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finish(State.STOPPED, "interrupted", h);
        return;
      }
      Optional<AgentOutcome> outcome = h.outcome();
      boolean budget =
          outcome
              .flatMap(AgentOutcome::errorKind)
              .filter(k -> k == AgentOutcome.ErrorKind.BUDGET)
              .isPresent();
      boolean failed =
          h.status() != AgentStatus.COMPLETED || outcome.map(o -> !o.success()).orElse(false);
      String why = describe(h, outcome);
      synchronized (this) {
        if (stopRequested
            || h.status() == AgentStatus.TERMINATED) { // stopped by request: never restarted
          finish(State.STOPPED, "stopped", h);
          return;
        }
      }
      if (budget || !policy.restartsAfter(failed)) {
        finish(failed ? State.FAILED : State.COMPLETED, why, h);
        return;
      }
      Duration ran =
          Duration.between(h.info().startedAt(), h.info().endedAt().orElse(Instant.now()));
      if (backoff.healthy(ran)) {
        attempt = 0;
      }
      if (attempt >= policy.maxRestarts()) {
        finish(
            State.FAILED,
            "crash loop: "
                + policy.maxRestarts()
                + " restart"
                + (policy.maxRestarts() == 1 ? "" : "s")
                + " in a row did not hold (each run shorter than "
                + human(policy.resetAfter())
                + "); last run: "
                + why,
            h);
        return;
      }
      Optional<RateLimits.Limit> limit =
          lastResult(h).flatMap(r -> RateLimits.of(r, Instant.now()));
      double random = ThreadLocalRandom.current().nextDouble();
      Duration delay =
          limit.isPresent()
              ? backoff.afterRateLimit(attempt, random, limit.get().resetAt(), Instant.now())
              : backoff.delay(attempt, random);
      Optional<String> resume =
          policy.resume() && !config.hasCommand()
              ? outcome.flatMap(AgentOutcome::sessionId).or(config::resumeSession)
              : config.resumeSession();
      Restart restart = new Restart(restarts + 1, delay, why, limit.isPresent(), resume);
      synchronized (told) {
        pastRestarts.add(restart);
        tell(restartListeners, restart);
      }
      if (!waitOrStop(delay)) {
        finish(State.STOPPED, "stopped while backing off", h);
        return;
      }
      AgentConfig next =
          resume.map(id -> config.toBuilder().resumeSession(id).build()).orElse(config);
      try {
        h = spawn(next);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finish(State.STOPPED, "interrupted while waiting for a slot", h);
        return;
      } catch (AgentException e) {
        finish(
            State.FAILED, "restart " + (restarts + 1) + " could not start: " + e.getMessage(), h);
        return;
      }
      attempt++;
      synchronized (told) {
        synchronized (this) {
          restarts++;
          runs.add(h);
          state = State.RUNNING;
          nextStartAt = null;
          if (stopRequested) {
            AgentHandle stopNow = h;
            Thread.ofVirtual().start(() -> stopNow.stop(stopTimeout));
          }
        }
        tell(runListeners, h);
      }
    }
  }

  /** Calls each listener; whatever one throws is logged, and supervision goes on. */
  private <T> void tell(List<Consumer<T>> listeners, T value) {
    for (Consumer<T> l : listeners) {
      try {
        l.accept(value);
      } catch (Throwable t) {
        LOG.warn("a listener of {} threw {}; supervision goes on", config.name(), t.toString());
      }
    }
  }

  private AgentHandle spawn(AgentConfig c) throws InterruptedException {
    return waitForSlot.isZero() ? runner.spawn(c) : runner.spawn(c, waitForSlot);
  }

  /** Waits {@code delay} in BACKING_OFF; false if stopped meanwhile. */
  private synchronized boolean waitOrStop(Duration delay) {
    state = State.BACKING_OFF;
    nextStartAt = Instant.now().plus(delay);
    long deadline = System.nanoTime() + delay.toNanos();
    while (!stopRequested) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      try {
        wait(Math.max(1, left / 1_000_000), 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void finish(State s, String reason, AgentHandle last) {
    synchronized (this) {
      state = s;
      nextStartAt = null;
    }
    end.complete(new End(s, restarts(), reason, last.outcome()));
  }

  /** {@code 5m}, {@code 30s}, {@code 1h30m}, {@code 250ms}. */
  static String human(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    String out =
        (s >= 3600 ? s / 3600 + "h" : "")
            + (s % 3600 >= 60 ? s % 3600 / 60 + "m" : "")
            + (s % 60 > 0 ? s % 60 + "s" : "");
    return out.isEmpty() ? "0s" : out;
  }

  private static Optional<AgentEvent.Result> lastResult(AgentHandle h) {
    AgentEvent.Result last = null;
    for (AgentEvent e : h.events()) {
      if (e instanceof AgentEvent.Result r) {
        last = r;
      }
    }
    return Optional.ofNullable(last);
  }

  private static String describe(AgentHandle h, Optional<AgentOutcome> outcome) {
    String exit = h.info().exitStatus().map(Object::toString).orElse(h.status().toString());
    return outcome
        .filter(o -> !o.success())
        .map(
            o ->
                o.errorKind().map(Enum::name).orElse("failed")
                    + " ("
                    + exit
                    + ")"
                    + o.errorMessage().or(o::resultText).map(m -> ": " + m.strip()).orElse(""))
        .orElse(
            h.status() == AgentStatus.COMPLETED
                ? "completed (" + exit + ")"
                : h.status() + " (" + exit + ")");
  }

  @Override
  public AgentConfig config() {
    return config;
  }

  @Override
  public RestartPolicy policy() {
    return policy;
  }

  @Override
  public synchronized State state() {
    return state;
  }

  @Override
  public synchronized AgentHandle current() {
    return runs.getLast();
  }

  @Override
  public synchronized List<AgentHandle> runs() {
    return List.copyOf(runs);
  }

  @Override
  public synchronized int restarts() {
    return restarts;
  }

  @Override
  public synchronized Optional<Instant> nextStartAt() {
    return Optional.ofNullable(nextStartAt);
  }

  @Override
  public AutoCloseable onRun(Consumer<AgentHandle> listener) {
    synchronized (told) {
      runs().forEach(listener);
      runListeners.add(listener);
    }
    return () -> runListeners.remove(listener);
  }

  @Override
  public AutoCloseable onRestart(Consumer<Restart> listener) {
    synchronized (told) {
      pastRestarts.forEach(listener);
      restartListeners.add(listener);
    }
    return () -> restartListeners.remove(listener);
  }

  @Override
  public CompletableFuture<End> onEnd() {
    return end.copy();
  }

  @Override
  public void stop(Duration timeout) {
    AgentHandle h;
    synchronized (this) {
      stopRequested = true;
      stopTimeout = timeout;
      notifyAll();
      h = runs.getLast();
    }
    h.stop(timeout);
    end.join();
  }
}
