package dev.descartes.cli;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.OutputLine;
import java.util.List;

/** {@code --raw}: the agent's stdout and stderr lines exactly as the CLI wrote them. */
final class RawRenderer implements Renderer {

  private final AgentSink sink;

  RawRenderer(AgentSink sink) {
    this.sink = sink;
  }

  @Override
  public void event(AgentEvent event, List<Activity> activities) {
    switch (event) {
      case AgentEvent.Json j -> sink.raw(false, j.line());
      case AgentEvent.RawLine r -> sink.raw(false, r.line());
      default -> { }
    }
  }

  @Override
  public void stderr(OutputLine line) {
    sink.raw(true, line.bytes());
  }

  @Override
  public void finished(AgentTally tally) {
    tally.headline().filter(h -> tally.exit().isEmpty()).ifPresent(h -> sink.error(Style.ERROR, h));
  }
}
