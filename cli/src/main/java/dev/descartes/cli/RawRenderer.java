package dev.descartes.cli;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.OutputLine;
import java.util.List;

/**
 * {@code --raw}: the agent's stdout and stderr lines exactly as the CLI wrote them, read from the
 * handle's own output readers rather than from its (parsed) events.
 */
final class RawRenderer implements Renderer {

  private final AgentSink sink;

  RawRenderer(AgentSink sink) {
    this.sink = sink;
  }

  @Override
  public void event(AgentEvent event, List<Activity> activities) {
    // the lines come through stdout()
  }

  @Override
  public boolean wantsStdout() {
    return true;
  }

  @Override
  public void stdout(OutputLine line) {
    sink.raw(false, line.bytes());
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
