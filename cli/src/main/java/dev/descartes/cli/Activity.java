package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What an agent's JSON line means, whatever CLI wrote it: the vocabulary the renderers and the
 * per-agent tally work with. {@link StreamJson} derives it from the CLIs' own lines; it mirrors the
 * runner's normalized events, so that switching the source to them touches only that class.
 */
sealed interface Activity {

  /** The CLI opened a session. */
  record SessionStarted(Optional<String> sessionId, Optional<String> model) implements Activity {}

  /** Text the model wrote for the user. */
  record AssistantText(String text) implements Activity {}

  /** The model called a tool. */
  record ToolCall(String name, Optional<JsonNode> input) implements Activity {}

  /** A tool's answer. */
  record ToolResult(String output, boolean error) implements Activity {}

  /** Cost reported along the way (added to the agent's total). */
  record Usage(double costUsd) implements Activity {}

  /**
   * The agent's final word.
   *
   * @param costUsd the session's total cost, when the CLI reports one (replaces the running total)
   */
  record Result(boolean success, Optional<String> text, Optional<String> error, OptionalDouble costUsd,
      OptionalInt turns, Optional<Duration> duration) implements Activity {}

  /** A JSON line that means nothing known: shown compactly as it is. */
  record Other(JsonNode json) implements Activity {}
}
