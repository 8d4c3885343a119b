package dev.descartes.server;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import java.util.List;

/**
 * Recognizes a known CLI's JSON output (claude, opencode, codex, gemini) in the lines of an agent
 * the runner does not parse (an explicit command, a {@code <program>-cli}): the runner's parsers
 * are tried on each JSON line until one recognizes it, and that one is kept for the agent. So a
 * script that writes Claude-style {@code stream-json} shows the same as claude itself, in {@code
 * descartes run} and under the daemon.
 *
 * <p>Not thread-safe: one per agent, fed in event order.
 */
public final class KnownFormats {

  private static final List<String> FORMATS = List.of("claude", "opencode", "codex", "gemini");

  private List<AgentEventParser> candidates;
  private AgentEventParser detected;

  /** A detector that has recognized nothing yet. */
  public KnownFormats() {}

  /**
   * The normalized events a known format reads in {@code line}: by the format recognized earlier,
   * or by the first that recognizes this line.
   *
   * @param line a JSON line of the agent
   * @return its normalized events; empty when no format explains it
   */
  public List<AgentEvent> parse(AgentEvent.Json line) {
    if (detected != null) {
      return normalizedOnly(detected.parse(line.agentId(), line.at(), line.json()));
    }
    if (candidates == null) {
      candidates = FORMATS.stream().map(f -> AgentEventParser.forFormat(f).orElseThrow()).toList();
    }
    for (AgentEventParser p : candidates) {
      List<AgentEvent> events = normalizedOnly(p.parse(line.agentId(), line.at(), line.json()));
      if (!events.isEmpty()) {
        detected = p;
        return events;
      }
    }
    return List.of();
  }

  /**
   * Whether a format has been recognized.
   *
   * @return true once a line was recognized
   */
  public boolean recognized() {
    return detected != null;
  }

  private static List<AgentEvent> normalizedOnly(List<AgentEvent> events) {
    return events.stream().filter(e -> e instanceof AgentEvent.Normalized).toList();
  }
}
