package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code opencode run --format json}: {@code step_start}, {@code text}, {@code tool_use} (once the
 * call is done), {@code step_finish} (tokens and cost of each step) and {@code error}. There is no
 * result line: a {@code step_finish} with reason {@code stop} ends the run successfully, an {@code
 * error} line ends it in failure. Not thread-safe.
 */
final class OpencodeParser implements AgentEventParser {

  private String session;
  private String lastText = "";
  private int steps;

  @Override
  public List<AgentEvent> parse(AgentId id, Instant at, JsonNode json) {
    List<AgentEvent> out = new ArrayList<>();
    Optional<String> sid = EventFormats.text(json, "sessionID");
    if (sid.isPresent() && !sid.get().equals(session)) {
      session = sid.get();
      out.add(new AgentEvent.SessionStarted(id, at, session, Optional.empty(), json));
    }
    JsonNode part = json.path("part");
    switch (json.path("type").asText()) {
      case "text" -> {
        lastText = part.path("text").asText();
        out.add(new AgentEvent.AssistantText(id, at, lastText, false, json));
      }
      case "tool_use" -> {
        JsonNode state = part.path("state");
        String call = part.path("callID").asText(part.path("id").asText());
        out.add(
            new AgentEvent.ToolCall(
                id, at, call, part.path("tool").asText(), state.path("input"), json));
        String status = state.path("status").asText();
        if (status.equals("completed") || status.equals("error")) {
          String output =
              EventFormats.text(state, "output")
                  .or(() -> EventFormats.text(state, "error"))
                  .orElse("");
          out.add(new AgentEvent.ToolResult(id, at, call, output, status.equals("error"), json));
        }
      }
      case "step_finish" -> {
        steps++;
        JsonNode tokens = part.path("tokens");
        long in =
            tokens.path("input").asLong(0)
                + tokens.path("cache").path("read").asLong(0)
                + tokens.path("cache").path("write").asLong(0);
        out.add(
            new AgentEvent.Usage(
                id,
                at,
                in,
                tokens.path("output").asLong(0) + tokens.path("reasoning").asLong(0),
                EventFormats.number(part, "cost"),
                json));
        if (part.path("reason").asText().equals("stop")) {
          out.add(
              new AgentEvent.Result(
                  id,
                  at,
                  true,
                  lastText,
                  Optional.empty(),
                  Optional.empty(),
                  OptionalInt.of(steps),
                  Optional.ofNullable(session),
                  json));
        }
      }
      case "error" -> {
        JsonNode error = json.path("error");
        String message =
            EventFormats.text(error.path("data"), "message")
                .or(() -> EventFormats.text(error, "message"))
                .orElse(error.toString());
        String name = error.path("name").asText("");
        ErrorKind kind =
            name.contains("API") || error.path("data").has("statusCode")
                ? ErrorKind.API_ERROR
                : name.contains("Abort") ? ErrorKind.INTERRUPTED : ErrorKind.EXECUTION_ERROR;
        out.add(
            new AgentEvent.Result(
                id,
                at,
                false,
                message,
                Optional.of(kind),
                Optional.of(message),
                OptionalInt.of(steps),
                Optional.ofNullable(session),
                json));
      }
      default -> {}
    }
    return out;
  }
}
