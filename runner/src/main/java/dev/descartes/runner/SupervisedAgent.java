package dev.descartes.runner;

import dev.descartes.runner.internal.restart.Supervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One agent kept running under a {@link RestartPolicy}: each time its process ends in a way the
 * policy restarts after, it is spawned again after a backoff (a CLI agent resuming its previous
 * session when the policy says so; after a rate limit, at the limit's reset time when the CLI gave
 * one). Restarts used up in a row mark it {@link State#FAILED} with the reason. A run stopped for
 * its budget is never restarted. Thread-safe.
 *
 * <pre>{@code
 * SupervisedAgent a = SupervisedAgent.start(runner, config, RestartPolicy.builder()
 *     .mode(RestartPolicy.Mode.ON_FAILURE).maxRestarts(3).build());
 * a.onRun(h -> h.onEvent(System.out::println));
 * SupervisedAgent.End end = a.onEnd().join();
 * }</pre>
 */
public interface SupervisedAgent extends AutoCloseable {

  /**
   * Spawns the first run of {@code config} on {@code runner} and supervises it on a virtual thread.
   *
   * @param runner where each run is spawned
   * @param config what each run runs
   * @param policy when to restart, and how long to wait first
   * @return the supervised agent, its first run spawned
   * @throws AgentException if the first spawn fails (nothing is supervised then)
   */
  static SupervisedAgent start(AgentRunner runner, AgentConfig config, RestartPolicy policy) {
    try {
      return Supervisor.start(runner, config, policy, Duration.ZERO);
    } catch (InterruptedException e) {
      throw new IllegalStateException("cannot happen without a wait for a slot", e);
    }
  }

  /**
   * Like {@link #start(AgentRunner, AgentConfig, RestartPolicy)}, but each run (the first and every
   * restart) waits up to {@code waitForSlot} for a free slot under the runner's concurrency cap.
   *
   * @param runner where each run is spawned
   * @param config what each run runs
   * @param policy when to restart, and how long to wait first
   * @param waitForSlot the longest wait for a slot, per run
   * @return the supervised agent, its first run spawned
   * @throws InterruptedException if interrupted while the first run waits for a slot
   * @throws AgentException if the first spawn fails
   */
  static SupervisedAgent start(
      AgentRunner runner, AgentConfig config, RestartPolicy policy, Duration waitForSlot)
      throws InterruptedException {
    return Supervisor.start(runner, config, policy, waitForSlot);
  }

  /** Where a supervised agent is. */
  enum State {
    /** A run is alive. */
    RUNNING,
    /** Waiting for the backoff (or a rate limit's reset) before the next run. */
    BACKING_OFF,
    /** The last run succeeded and the policy does not restart it. */
    COMPLETED,
    /** The last run failed and the policy does not restart it, or the restarts are used up. */
    FAILED,
    /** {@link #stop} was called, or the run was stopped through its handle or the runner. */
    STOPPED;

    /** {@return whether no run will follow} */
    public boolean finished() {
      return this == COMPLETED || this == FAILED || this == STOPPED;
    }
  }

  /**
   * One restart.
   *
   * @param number 1 for the first restart
   * @param delay the wait before it
   * @param reason why the previous run ended
   * @param rateLimited whether it waited for the model's rate limit
   * @param resumedSession the CLI session the new run continues, if any
   */
  record Restart(
      int number,
      Duration delay,
      String reason,
      boolean rateLimited,
      Optional<String> resumedSession) {}

  /**
   * How supervision ended.
   *
   * @param state {@link State#COMPLETED}, {@link State#FAILED} or {@link State#STOPPED}
   * @param restarts restarts made in all
   * @param reason why it ended: the last run's failure, or the crash loop
   * @param lastOutcome the last run's outcome
   */
  record End(State state, int restarts, String reason, Optional<AgentOutcome> lastOutcome) {}

  /** {@return the configuration given to {@code start}} */
  AgentConfig config();

  /** {@return the restart policy} */
  RestartPolicy policy();

  /** {@return where the supervised agent is now} */
  State state();

  /** {@return the handle of the run alive now, or of the last one} */
  AgentHandle current();

  /** {@return every run so far, oldest first} */
  List<AgentHandle> runs();

  /** {@return restarts made so far} */
  int restarts();

  /** {@return when the next run starts, while {@link State#BACKING_OFF}} */
  Optional<Instant> nextStartAt();

  /**
   * Calls {@code listener} with every run's handle, oldest first: the runs so far at once, on the
   * caller's thread (what it throws there is thrown from here, and the listener is not added), then
   * each later one as it starts, on the supervisor's thread (what it throws there is logged, and
   * supervision goes on). A listener added at any time sees each run exactly once; listeners are
   * called one at a time.
   *
   * @param listener called once per run
   * @return closing it removes the listener
   */
  AutoCloseable onRun(Consumer<AgentHandle> listener);

  /**
   * Calls {@code listener} with every restart, oldest first: the restarts so far at once, on the
   * caller's thread (what it throws there is thrown from here, and the listener is not added), then
   * each later one before its wait, on the supervisor's thread (what it throws there is logged, and
   * supervision goes on). A listener added at any time, even after the end, sees each restart
   * exactly once; listeners are called one at a time.
   *
   * @param listener called once per restart
   * @return closing it removes the listener
   */
  AutoCloseable onRestart(Consumer<Restart> listener);

  /** {@return a future completed once no run will follow} */
  CompletableFuture<End> onEnd();

  /**
   * Stops the current run (its backend's stop sequence, SIGKILL after {@code timeout}) and every
   * restart.
   *
   * @param timeout the time the stop sequence may wait before SIGKILL
   */
  void stop(Duration timeout);

  /** {@link #stop} with 5 seconds. */
  @Override
  default void close() {
    stop(Duration.ofSeconds(5));
  }
}
