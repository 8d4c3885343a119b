package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentEvent;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an agent did, whatever CLI it runs: the vocabulary the renderers and the per-agent tally
 * work with. Each kind is one of the runner's normalized events ({@link AgentEvent.Normalized}),
 * reduced to what the command shows, plus {@link Other} for a JSON line no parser knows. {@link
 * Activities} makes them.
 */
sealed interface Activity {

  /** The CLI opened a session. */
  record SessionStarted(String sessionId, Optional<String> model) implements Activity {}

  /** Text the model wrote for the user (streamed pieces joined). */
  record AssistantText(String text) implements Activity {}

  /** The model called a tool. */
  record ToolCall(String name, JsonNode input) implements Activity {}

  /** A tool's answer. */
  record ToolResult(String output, boolean error) implements Activity {}

  /** The cost of one step, added to the agent's total. */
  record Usage(double costUsd) implements Activity {}

  /** The CLI's verdict on its turn. */
  record Result(boolean success, Optional<String> text, Optional<String> error, OptionalInt turns)
      implements Activity {}

  /** A JSON line that means nothing known: shown compactly as it is. */
  record Other(JsonNode json) implements Activity {}

  /**
   * The activity of one normalized event; empty for a streamed piece of text (see {@link
   * Activities}).
   */
  static Optional<Activity> of(AgentEvent.Normalized event) {
    return Optional.ofNullable(
        switch (event) {
          case AgentEvent.SessionStarted s -> new SessionStarted(s.sessionId(), s.model());
          case AgentEvent.AssistantText t -> t.partial() ? null : new AssistantText(t.text());
          case AgentEvent.ToolCall c -> new ToolCall(c.name(), c.input());
          case AgentEvent.ToolResult r -> new ToolResult(r.output(), r.error());
          case AgentEvent.Usage u ->
              u.costUsd().isPresent() ? new Usage(u.costUsd().getAsDouble()) : null;
          case AgentEvent.Result r ->
              new Result(
                  r.success(),
                  r.success() ? Optional.of(r.text()).filter(t -> !t.isBlank()) : Optional.empty(),
                  r.success()
                      ? Optional.empty()
                      : r.errorMessage()
                          .or(() -> Optional.of(r.text()).filter(t -> !t.isBlank()))
                          .or(
                              () ->
                                  r.errorKind()
                                      .map(k -> k.name().toLowerCase(java.util.Locale.ROOT))),
                  r.turns());
        });
  }
}
