package dev.descartes.runner;

import dev.descartes.runner.internal.OutcomeTracker;

/**
 * Folds an agent's normalized events into its {@link AgentOutcome}, as the local runner does: the
 * last result's verdict, tokens and cost summed over every step, the session id; without a result
 * line the outcome follows the exit. For runners other than {@link LocalProcessRunner} that parse a
 * CLI's output with {@link AgentBackend#newEventParser()}. Thread-safe.
 */
public final class AgentOutcomes {

  private final OutcomeTracker tracker;

  /**
   * Starts an empty outcome.
   *
   * @param reportsResults the parser's {@link AgentEventParser#reportsResults()}: whether the CLI
   *     ends every run with a result line
   */
  public AgentOutcomes(boolean reportsResults) {
    this.tracker = new OutcomeTracker(reportsResults);
  }

  /**
   * Takes one normalized event, in output order.
   *
   * @param event the event
   */
  public void accept(AgentEvent.Normalized event) {
    tracker.accept(event);
  }

  /**
   * The outcome, once the agent has ended.
   *
   * @param exit how the agent ended
   * @param stopRequested whether the runner was asked to stop it (an outcome without a result is
   *     then {@link AgentOutcome.ErrorKind#INTERRUPTED})
   * @return the outcome
   */
  public AgentOutcome finish(ExitStatus exit, boolean stopRequested) {
    return tracker.finish(exit, stopRequested);
  }
}
