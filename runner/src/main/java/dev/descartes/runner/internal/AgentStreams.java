package dev.descartes.runner.internal;

import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.io.OutputBudget;
import dev.descartes.runner.internal.io.Transcript;

/**
 * One agent's stdout and stderr: their pipelines (window, pinned head, transcript), the shared
 * readers the handle hands out, and their windows' share of the runner's output budget.
 * Thread-safe.
 */
final class AgentStreams {

  private final OutputBudget budget;
  private final OutputPipeline out;
  private final OutputPipeline err;
  private final SharedReader outReader;
  private final SharedReader errReader;

  /**
   * @param onStdoutLine gets every stdout line on the thread that reads it
   */
  AgentStreams(
      AgentId id,
      String name,
      ProcessRunnerConfig rc,
      OutputBudget budget,
      Transcript outTranscript,
      Transcript errTranscript,
      OutputPipeline.LineHandler onStdoutLine) {
    this.budget = budget;
    this.out =
        new OutputPipeline(
            id,
            name,
            rc.outputWindowBytes(),
            rc.pinnedHeadBytes(),
            budget,
            rc.maxLineBytes(),
            outTranscript,
            onStdoutLine);
    this.err =
        new OutputPipeline(
            id, name, rc.outputWindowBytes(), 0, budget, rc.maxLineBytes(), errTranscript, null);
    this.outReader = new SharedReader(out);
    this.errReader = new SharedReader(err);
  }

  OutputPipeline out() {
    return out;
  }

  OutputPipeline err() {
    return err;
  }

  /** The handle's stdout reader, shared by every caller. */
  AgentOutput stdout() {
    return outReader;
  }

  /** The handle's stderr reader, shared by every caller. */
  AgentOutput stderr() {
    return errReader;
  }

  /** A new stdout reader that delivers as {@code delivery} says. */
  AgentOutput stdout(OutputDelivery delivery) {
    return new SharedReader(out, delivery);
  }

  /** A new stderr reader that delivers as {@code delivery} says. */
  AgentOutput stderr(OutputDelivery delivery) {
    return new SharedReader(err, delivery);
  }

  /** The runner forgets this agent: its windows' memory goes back to the budget. */
  void release() {
    budget.unregister(out.log());
    budget.unregister(err.log());
  }
}
