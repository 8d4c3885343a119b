package dev.descartes.cli;

import dev.descartes.runner.AgentEvent;
import dev.descartes.server.KnownFormats;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent's events as {@link Activity} items. The runner already normalizes the lines of the CLIs
 * it knows (claude, opencode, codex, gemini, qwen); for any other agent (an explicit command, a
 * {@code <program>-cli}) whose JSON lines it leaves as they are, the runner's own parsers are tried
 * here, and the first format that recognizes a line is kept for the agent. So a script that writes
 * Claude-style {@code stream-json} shows the same as claude itself. Once an agent has been
 * recognized, its JSON lines that no parser explains are noise and are dropped; before that they
 * are shown as {@link Activity.Other}. Streamed text pieces are joined into one {@link
 * Activity.AssistantText}. One instance per agent; not thread-safe.
 */
final class Activities {

  private final KnownFormats formats = new KnownFormats();
  private boolean recognized;
  private final StringBuilder partial = new StringBuilder();

  /** The activities {@code event} holds, in order; may be none. */
  List<Activity> of(AgentEvent event) {
    List<Activity> out = new ArrayList<>();
    switch (event) {
      case AgentEvent.Normalized n -> {
        recognized = true;
        add(n, out);
      }
      case AgentEvent.Json j -> {
        List<AgentEvent> parsed =
            recognized && !formats.recognized() ? List.of() : formats.parse(j);
        if (!parsed.isEmpty()) {
          recognized = true;
        }
        if (parsed.isEmpty() && !recognized) {
          flush(out);
          out.add(new Activity.Other(j.json()));
        }
        for (AgentEvent e : parsed) {
          add((AgentEvent.Normalized) e, out);
        }
      }
      default -> flush(out);
    }
    return out;
  }

  private void add(AgentEvent.Normalized n, List<Activity> out) {
    if (n instanceof AgentEvent.AssistantText t && t.partial()) {
      partial.append(t.text());
      return;
    }
    flush(out);
    Activity.of(n).ifPresent(out::add);
  }

  private void flush(List<Activity> out) {
    if (!partial.isEmpty()) {
      out.add(new Activity.AssistantText(partial.toString()));
      partial.setLength(0);
    }
  }
}
