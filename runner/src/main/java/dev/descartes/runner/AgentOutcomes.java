package dev.descartes.runner;

import dev.descartes.runner.internal.EventDecoder;
import dev.descartes.runner.internal.OutcomeTracker;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

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
   * Decodes one complete stdout line as the local runner does, and takes its normalized events: a
   * JSON object goes through {@code parser}; one the parser makes nothing of becomes {@link
   * AgentEvent.Json}, and anything else {@link AgentEvent.RawLine}. Never throws for bad input.
   *
   * @param id the agent the line is from
   * @param at when the line was read
   * @param line the line's bytes, with or without its line end
   * @param parser the backend's event parser
   * @return the events to deliver for the line, in order
   */
  public List<AgentEvent> acceptLine(AgentId id, Instant at, byte[] line, AgentEventParser parser) {
    int end = line.length;
    while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
      end--;
    }
    List<AgentEvent> events = EventDecoder.decodeLine(id, at, Arrays.copyOf(line, end), parser);
    for (AgentEvent e : events) {
      if (e instanceof AgentEvent.Normalized n) {
        tracker.accept(n);
      }
    }
    return events;
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
