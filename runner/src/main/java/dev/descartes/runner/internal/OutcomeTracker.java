package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.ExitStatus;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Folds an agent's normalized events into its {@link AgentOutcome}: the last result's verdict,
 * tokens and cost summed over every step, the session id. Fed on the output-reading thread with
 * every line, read once by the exit finalizer; synchronized, so safe from any thread.
 */
public final class OutcomeTracker {

  private final boolean reportsResults;
  private AgentEvent.Result last;
  private String sessionId;
  private long inputTokens;
  private long outputTokens;
  private double cost;
  private boolean costKnown;
  private int turns;
  private boolean turnsKnown;

  public OutcomeTracker(boolean reportsResults) {
    this.reportsResults = reportsResults;
  }

  public synchronized void accept(AgentEvent.Normalized event) {
    switch (event) {
      case AgentEvent.SessionStarted s -> sessionId = s.sessionId();
      case AgentEvent.Usage u -> {
        inputTokens += u.inputTokens();
        outputTokens += u.outputTokens();
        if (u.costUsd().isPresent()) {
          cost += u.costUsd().getAsDouble();
          costKnown = true;
        }
      }
      case AgentEvent.Result r -> {
        last = r;
        r.sessionId().ifPresent(s -> sessionId = s);
        if (r.turns().isPresent()) {
          turns += r.turns().getAsInt();
          turnsKnown = true;
        }
      }
      default -> {}
    }
  }

  /** The outcome, given how the process ended and whether the runner was asked to stop it. */
  public synchronized AgentOutcome finish(ExitStatus exit, boolean stopRequested) {
    boolean success;
    Optional<String> text = Optional.empty();
    Optional<ErrorKind> kind = Optional.empty();
    Optional<String> message = Optional.empty();
    if (!reportsResults) {
      success = exit.success();
      if (!success) {
        kind = Optional.of(stopRequested ? ErrorKind.INTERRUPTED : ErrorKind.EXECUTION_ERROR);
        message = Optional.of("the process ended with " + exit);
      }
    } else if (last == null) {
      success = false;
      kind = Optional.of(stopRequested ? ErrorKind.INTERRUPTED : ErrorKind.NO_RESULT);
      message =
          Optional.of(
              "the CLI ended ("
                  + exit
                  + ") without reporting a final result"
                  + (stopRequested ? " after it was asked to stop" : "; see its stderr"));
    } else {
      success = last.success();
      text = Optional.of(last.text()).filter(t -> !t.isEmpty());
      kind = last.errorKind();
      message = last.errorMessage();
    }
    return new AgentOutcome(
        success,
        text,
        kind,
        message,
        costKnown ? OptionalDouble.of(cost) : OptionalDouble.empty(),
        inputTokens,
        outputTokens,
        turnsKnown ? OptionalInt.of(turns) : OptionalInt.empty(),
        Optional.ofNullable(sessionId),
        exit);
  }
}
