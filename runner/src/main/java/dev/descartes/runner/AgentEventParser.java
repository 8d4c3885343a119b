package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns one JSON line of a CLI's output into normalized {@link AgentEvent}s. The SPI behind {@link
 * AgentBackend#newEventParser()}: the runner makes one parser per agent for the line dispatch
 * (which feeds listeners and the {@link AgentOutcome}), and one per {@link AgentHandle#events()}
 * reader.
 *
 * <p>A parser is called by one thread at a time, in line order, and may keep state between lines (a
 * reader that started late, or after a {@link AgentEvent.Gap}, may not have seen earlier lines:
 * cope with that). It must not throw for odd input: return an empty list and the line stays an
 * {@link AgentEvent.Json}. Instances need not be thread-safe.
 */
@FunctionalInterface
public interface AgentEventParser {

  /**
   * The normalized events for one line.
   *
   * @param agentId the agent, for the events
   * @param at when the line was read, for the events
   * @param json the line, a JSON object
   * @return the events, in order; empty if the line is not one this parser knows
   */
  List<AgentEvent> parse(AgentId agentId, Instant at, JsonNode json);

  /**
   * {@return whether the CLI ends every run with a result line; if not ({@link #none()}), an
   * agent's outcome follows its exit code}
   */
  default boolean reportsResults() {
    return true;
  }

  /**
   * {@return a parser that recognizes nothing: every JSON line stays an {@link AgentEvent.Json}}
   */
  static AgentEventParser none() {
    return EventFormats.NONE;
  }

  /**
   * A new parser for a built-in event format. User-defined backends for CLIs that speak one of
   * these use it.
   *
   * @param format {@code claude} (also Qwen Code's), {@code opencode}, {@code codex}, {@code
   *     gemini} or {@code qwen}
   * @return the parser; empty for an unknown format
   */
  static Optional<AgentEventParser> forFormat(String format) {
    return EventFormats.forFormat(format);
  }
}
