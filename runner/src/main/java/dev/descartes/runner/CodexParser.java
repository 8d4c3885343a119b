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
 * {@code codex exec --json}: {@code thread.started}, {@code item.started} / {@code item.completed}
 * ({@code agent_message}, {@code command_execution}, ...), and {@code turn.completed} (usage) or
 * {@code turn.failed}. Item type {@code error} and top-level {@code error} lines are notices
 * (reconnects, missing model metadata), not failures. Not thread-safe.
 */
final class CodexParser implements AgentEventParser {

  private String thread;
  private String lastMessage = "";

  @Override
  public List<AgentEvent> parse(AgentId id, Instant at, JsonNode json) {
    List<AgentEvent> out = new ArrayList<>();
    JsonNode item = json.path("item");
    switch (json.path("type").asText()) {
      case "thread.started" ->
          EventFormats.text(json, "thread_id")
              .ifPresent(
                  t -> {
                    thread = t;
                    out.add(new AgentEvent.SessionStarted(id, at, t, Optional.empty(), json));
                  });
      case "item.started" -> {
        if (isTool(item)) {
          out.add(
              new AgentEvent.ToolCall(
                  id, at, item.path("id").asText(), toolName(item), toolInput(item), json));
        }
      }
      case "item.completed" -> {
        switch (item.path("type").asText()) {
          case "agent_message" -> {
            lastMessage = item.path("text").asText();
            out.add(new AgentEvent.AssistantText(id, at, lastMessage, false, json));
          }
          default -> {
            if (isTool(item)) {
              String status = item.path("status").asText("");
              boolean error =
                  status.equals("failed")
                      || status.equals("declined")
                      || (item.path("exit_code").isNumber() && item.path("exit_code").asInt() != 0);
              String output =
                  EventFormats.text(item, "aggregated_output")
                      .or(() -> EventFormats.text(item.path("error"), "message"))
                      .orElse(EventFormats.content(item.path("result")));
              out.add(
                  new AgentEvent.ToolResult(id, at, item.path("id").asText(), output, error, json));
            }
          }
        }
      }
      case "turn.completed" -> {
        JsonNode u = json.path("usage");
        out.add(
            new AgentEvent.Usage(
                id,
                at,
                u.path("input_tokens").asLong(0),
                u.path("output_tokens").asLong(0),
                OptionalDouble.empty(),
                json));
        out.add(
            new AgentEvent.Result(
                id,
                at,
                true,
                lastMessage,
                Optional.empty(),
                Optional.empty(),
                OptionalInt.of(1),
                Optional.ofNullable(thread),
                json));
      }
      case "turn.failed" -> {
        String message = EventFormats.text(json.path("error"), "message").orElse(json.toString());
        boolean api = message.contains("\"error\"") || message.matches("(?s).*\\b[45]\\d\\d\\b.*");
        out.add(
            new AgentEvent.Result(
                id,
                at,
                false,
                message,
                Optional.of(api ? ErrorKind.API_ERROR : ErrorKind.EXECUTION_ERROR),
                Optional.of(message),
                OptionalInt.of(1),
                Optional.ofNullable(thread),
                json));
      }
      default -> {}
    }
    return out;
  }

  private static boolean isTool(JsonNode item) {
    return switch (item.path("type").asText()) {
      case "command_execution", "mcp_tool_call", "file_change", "web_search" -> true;
      default -> false;
    };
  }

  private static String toolName(JsonNode item) {
    String type = item.path("type").asText();
    return type.equals("mcp_tool_call")
        ? item.path("server").asText() + "." + item.path("tool").asText()
        : type;
  }

  private static JsonNode toolInput(JsonNode item) {
    return switch (item.path("type").asText()) {
      case "command_execution" ->
          ((com.fasterxml.jackson.databind.node.ObjectNode) item.deepCopy()).retain("command");
      case "mcp_tool_call" -> item.path("arguments");
      case "file_change" -> item.path("changes");
      default -> ((com.fasterxml.jackson.databind.node.ObjectNode) item.deepCopy()).retain("query");
    };
  }
}
