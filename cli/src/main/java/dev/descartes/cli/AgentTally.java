package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.ExitStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One agent of a run as the command sees it: waiting for a slot, running, or how it ended, with its
 * cost so far and its final result. The status line, the closing line and the summary table read
 * it. Thread-safe.
 */
final class AgentTally {

  /** Where the agent is. */
  enum State {
    WAITING("waiting"),
    RUNNING("running"),
    COMPLETED("completed"),
    FAILED("failed"),
    STOPPED("stopped"),
    NOT_STARTED("not started");

    private final String label;

    State(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    boolean finished() {
      return this != WAITING && this != RUNNING;
    }
  }

  private final int index;
  private final AgentConfig config;
  private State state = State.WAITING;
  private AgentHandle handle;
  private Instant startedAt;
  private Instant endedAt;
  private ExitStatus exit;
  private double cost;
  private boolean costKnown;
  private Activity.Result result;
  private boolean resultSeen;
  private String lastText;
  private String failure;
  private int restarts;

  AgentTally(int index, AgentConfig config) {
    this.index = index;
    this.config = config;
  }

  int index() {
    return index;
  }

  String name() {
    return config.name();
  }

  AgentConfig config() {
    return config;
  }

  synchronized State state() {
    return state;
  }

  synchronized Optional<AgentHandle> handle() {
    return Optional.ofNullable(handle);
  }

  synchronized void started(AgentHandle h) {
    handle = h;
    startedAt = h.info().startedAt();
    state = State.RUNNING;
  }

  /** Counts what an activity says about cost and outcome. */
  synchronized void record(Activity activity) {
    switch (activity) {
      case Activity.Usage u -> {
        cost += u.costUsd();
        costKnown = true;
      }
      case Activity.Result r -> {
        result = r;
        resultSeen = true;
      }
      case Activity.AssistantText t -> lastText = t.text();
      default -> {}
    }
  }

  /**
   * The agent's process ended: its final state from the runner's status and the CLI's verdict (its
   * {@link AgentOutcome}, or the last result seen in its output); cost and turns from the outcome
   * when it has them.
   */
  synchronized void exited(AgentEvent.Exited e, Optional<AgentOutcome> outcome) {
    exit = e.exitStatus();
    endedAt = e.at();
    outcome.ifPresent(
        o -> {
          if (o.costUsd().isPresent()) {
            cost = o.costUsd().getAsDouble();
            costKnown = true;
          }
          if (result == null && !o.success()) {
            result =
                new Activity.Result(
                    false,
                    Optional.empty(),
                    o.errorMessage()
                        .or(o::resultText)
                        .or(() -> o.errorKind().map(k -> k.name().toLowerCase(Locale.ROOT))),
                    o.turns());
          } else if (result != null && result.turns().isEmpty() && o.turns().isPresent()) {
            result =
                new Activity.Result(result.success(), result.text(), result.error(), o.turns());
          }
        });
    outcome
        .filter(
            o ->
                o.errorKind()
                    .filter(k -> k == AgentOutcome.ErrorKind.BUDGET || k.isLimit())
                    .isPresent())
        .ifPresent(o -> failure = o.errorMessage().orElse(o.errorKind().orElseThrow().name()));
    boolean verdictFailed =
        result != null && !result.success() || outcome.map(o -> !o.success()).orElse(false);
    state =
        switch (e.status()) {
          case TERMINATED -> State.STOPPED;
          case COMPLETED -> verdictFailed ? State.FAILED : State.COMPLETED;
          default -> State.FAILED;
        };
  }

  /** A supervised agent's restarts; a crash loop's reason becomes its headline. */
  synchronized void restarts(int n, String reason) {
    restarts = n;
    if (reason.startsWith("crash loop")) {
      failure = reason;
    }
  }

  synchronized int restarts() {
    return restarts;
  }

  /** The agent's own budget, if it has one. */
  java.util.OptionalDouble budget() {
    return config.budgetUsd();
  }

  /** What the agent is doing now, while it runs. */
  synchronized Optional<dev.descartes.runner.AgentActivity> activity() {
    return state == State.RUNNING && handle != null
        ? Optional.of(handle.info().activity())
        : Optional.empty();
  }

  /** The agent could not be started. */
  synchronized void spawnFailed(String message) {
    failure = message;
    state = State.FAILED;
  }

  /** The run was stopped before the agent got a slot. */
  synchronized void notStarted() {
    state = State.NOT_STARTED;
  }

  /** Time since start, frozen at the end; zero before start. */
  synchronized Duration elapsed(Instant now) {
    if (startedAt == null) {
      return Duration.ZERO;
    }
    return Duration.between(startedAt, endedAt != null ? endedAt : now);
  }

  synchronized Optional<Double> cost() {
    return costKnown ? Optional.of(cost) : Optional.empty();
  }

  synchronized Optional<ExitStatus> exit() {
    return Optional.ofNullable(exit);
  }

  synchronized Optional<Activity.Result> result() {
    return Optional.ofNullable(result);
  }

  /** Whether the agent's output held a result (shown as it came), not only its outcome. */
  synchronized boolean resultSeen() {
    return resultSeen;
  }

  /** The last text the model wrote, to avoid printing a result that repeats it. */
  synchronized Optional<String> lastText() {
    return Optional.ofNullable(lastText);
  }

  /** One line on how it went: the error, the start failure, or the result text. */
  synchronized Optional<String> headline() {
    if (failure != null) {
      return Optional.of(failure);
    }
    if (result != null) {
      return result.error().or(result::text).map(AgentTally::firstLine);
    }
    return Optional.empty();
  }

  /**
   * The exit code of a single-agent run: the agent's own, 1 if it exited 0 but reported failure.
   */
  synchronized int exitCode() {
    return switch (state) {
      case COMPLETED -> ExitCodes.OK;
      case STOPPED, NOT_STARTED -> ExitCodes.INTERRUPTED;
      case FAILED ->
          exit == null
              ? ExitCodes.UNAVAILABLE
              : exit.success() ? ExitCodes.FAILED : exit.shellCode();
      default -> ExitCodes.FAILED;
    };
  }

  static String firstLine(String s) {
    return dev.descartes.server.EventText.firstLine(s);
  }
}
