package dev.descartes.cli;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.OutputLine;
import java.util.List;

/**
 * Turns one agent's events into output. One instance per agent, called from that agent's output
 * threads: {@link #event}, {@link #stderr} and {@link #stdout} each from its own, {@link #finished}
 * once all are done.
 */
interface Renderer {

  /**
   * One event of the agent.
   *
   * @param activities what the event means when it is a JSON line (see {@link StreamJson}); empty
   *     otherwise
   */
  void event(AgentEvent event, List<Activity> activities);

  /** One line the agent wrote to stderr. */
  void stderr(OutputLine line);

  /** Whether this renderer wants the agent's stdout lines as written, through {@link #stdout}. */
  default boolean wantsStdout() {
    return false;
  }

  /** One line the agent wrote to stdout, as written (only if {@link #wantsStdout()}). */
  default void stdout(OutputLine line) {}

  /** The agent is over (its process exited, or it never started); its tally is final. */
  void finished(AgentTally tally);

  /** The output formats of {@code descartes run}. */
  enum Mode {
    /** Readable text: what the model said, tool calls and results, a closing line. */
    HUMAN,
    /** One JSON object a line: the normalized events. */
    JSON,
    /** The CLI's own lines, as written. */
    RAW;

    Renderer create(AgentSink sink, AgentTally tally) {
      return switch (this) {
        case HUMAN -> new HumanRenderer(sink, tally);
        case JSON -> new JsonRenderer(sink, tally);
        case RAW -> new RawRenderer(sink);
      };
    }
  }
}
