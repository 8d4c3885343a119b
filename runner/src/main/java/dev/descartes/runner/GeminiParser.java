package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * {@code gemini -o stream-json}: {@code init}, {@code message} (user, and assistant pieces marked
 * {@code delta}), {@code tool_use}, {@code tool_result} and the final {@code result} with {@code
 * status} and {@code stats}. The result has no text: the assistant's text since the user's message
 * is the answer. Not thread-safe.
 */
final class GeminiParser implements AgentEventParser {

  private final StringBuilder answer = new StringBuilder();
  private String session;

  @Override
  public List<AgentEvent> parse(AgentId id, Instant at, JsonNode json) {
    List<AgentEvent> out = new ArrayList<>();
    switch (json.path("type").asText()) {
      case "init" ->
          EventFormats.text(json, "session_id")
              .ifPresent(
                  s -> {
                    session = s;
                    out.add(
                        new AgentEvent.SessionStarted(
                            id, at, s, EventFormats.text(json, "model"), json));
                  });
      case "message" -> {
        String content = json.path("content").asText("");
        if (json.path("role").asText().equals("assistant")) {
          boolean delta = json.path("delta").asBoolean(false);
          if (!delta) {
            answer.setLength(0);
          }
          answer.append(content);
          out.add(new AgentEvent.AssistantText(id, at, content, delta, json));
        } else {
          answer.setLength(0);
        }
      }
      case "tool_use" -> {
        answer.setLength(0);
        out.add(
            new AgentEvent.ToolCall(
                id,
                at,
                json.path("tool_id").asText(),
                json.path("tool_name").asText(),
                json.path("parameters"),
                json));
      }
      case "tool_result" -> {
        String output =
            EventFormats.text(json, "output")
                .or(() -> EventFormats.text(json.path("error"), "message"))
                .orElse("");
        out.add(
            new AgentEvent.ToolResult(
                id,
                at,
                json.path("tool_id").asText(),
                output,
                !json.path("status").asText().equals("success"),
                json));
      }
      case "result" -> {
        JsonNode stats = json.path("stats");
        out.add(
            new AgentEvent.Usage(
                id,
                at,
                stats.path("input_tokens").asLong(0),
                stats.path("output_tokens").asLong(0),
                OptionalDouble.empty(),
                json));
        boolean success = json.path("status").asText().equals("success");
        Optional<String> error = EventFormats.text(json.path("error"), "message");
        Optional<ErrorKind> kind =
            success
                ? Optional.empty()
                : Optional.of(
                    error.filter(m -> m.contains("API Error")).isPresent()
                        ? ErrorKind.API_ERROR
                        : json.path("error").path("type").asText().contains("turn")
                            ? ErrorKind.MAX_TURNS
                            : ErrorKind.EXECUTION_ERROR);
        String text = success ? answer.toString() : error.orElse(json.path("status").asText());
        out.add(
            new AgentEvent.Result(
                id,
                at,
                success,
                text,
                kind,
                success
                    ? Optional.empty()
                    : Optional.of(error.orElse("status " + json.path("status").asText())),
                OptionalInt.empty(),
                Optional.ofNullable(session),
                json));
      }
      default -> {}
    }
    return out;
  }
}
